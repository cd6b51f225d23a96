import type { ErrorKind } from "../errors/runner-error";

export const FAILURE_MODES = ["retry", "error"] as const;
/**
 * `retry`: transient failures leave the message for another attempt (SPEC RUN-10 option B).
 * `error`: every failure records ERROR and deletes the message at once (option A).
 */
export type FailureMode = (typeof FAILURE_MODES)[number];

export interface FailurePolicy {
  mode: FailureMode;
  /** The attempt with this ApproximateReceiveCount is the last: a transient failure there records ERROR. */
  maxReceives: number;
  retryBaseDelaySeconds: number;
  retryMaxDelaySeconds: number;
}

export interface FailureFacts {
  kind: ErrorKind;
  /** SQS's ApproximateReceiveCount of the message being handled (1 on the first delivery). */
  receiveCount: number;
  /** The runner is shutting down and cut the attempt short: not the submission's fault. */
  interrupted: boolean;
}

export type FailureDecision =
  | { action: "record" }
  | { action: "retry"; delaySeconds: number; reason: "shutdown" | "transient" };

/** SQS refuses visibility timeouts above 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

/** Doubles with every delivery (base, 2×base, 4×base…) up to the cap, so a long outage is not hammered. */
export function retryDelaySeconds(receiveCount: number, policy: FailurePolicy): number {
  const exponent = Math.min(Math.max(receiveCount, 1) - 1, 30);
  const delay = Math.min(policy.retryMaxDelaySeconds, policy.retryBaseDelaySeconds * 2 ** exponent);
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.round(delay)));
}

/** What to do with a failed attempt: record ERROR (and delete the message) or leave it for later. */
export function decideFailure(facts: FailureFacts, policy: FailurePolicy): FailureDecision {
  // An interrupted attempt goes straight back to the queue for another task, whatever the mode:
  // the submission did nothing wrong and the next runner can start on it at once.
  if (facts.interrupted) return { action: "retry", delaySeconds: 0, reason: "shutdown" };
  if (facts.kind === "permanent" || policy.mode === "error") return { action: "record" };
  if (facts.receiveCount >= policy.maxReceives) return { action: "record" };
  return { action: "retry", delaySeconds: retryDelaySeconds(facts.receiveCount, policy), reason: "transient" };
}
