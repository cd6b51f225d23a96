import type { Logger } from "pino";
import { toRunnerError, type RunnerError } from "../errors/runner-error";
import { errorFeedback } from "../grading/feedback";
import type { MetricsEmitter } from "../metrics/emitter";
import type { Disposition, MessageContext, MessageHandler, PoisonHandler } from "../queue/sqs-consumer";
import type { SubmissionMessage } from "../queue/submission-message";
import { decideFailure, retryDelaySeconds, type FailureDecision, type FailurePolicy } from "../reliability/failure-policy";
import { processSubmission, type PipelineDeps } from "./process-submission";

export interface HandlerOptions {
  /** Aborted when the runner stops: the run is killed and the message made visible again at once. */
  signal?: AbortSignal;
  /** Without a policy every failure is recorded as ERROR at once. */
  policy?: FailurePolicy;
  /** Where the per-submission, failed-attempt, retry and poison metrics go; none without it. */
  metrics?: MetricsEmitter;
}

const RECORD: FailureDecision = { action: "record" };
import type { SlotPool } from "../sandbox/slot-pool";

/**
 * Binds the pipeline to the consumer. A message is deleted once its submission has a final row
 * (or never will); a failure worth another attempt leaves it on the queue with a growing delay.
 */
export function createMessageHandlers(
  deps: PipelineDeps,
  options: HandlerOptions = {},
  /** With a pool, each submission runs in a sandbox slot of its own (its own uid). */
  slots?: SlotPool,
): { handle: MessageHandler; onPoison: PoisonHandler } {
  const { signal, policy, metrics } = options;
  const decider = (receiveCount: number) => (failure: RunnerError) =>
    policy ? decideFailure({ kind: failure.kind, receiveCount, interrupted: signal?.aborted ?? false }, policy) : RECORD;
  /** Every failed attempt passes through the policy once, retried or recorded: that is where it is counted. */
  const decide = ({ log, receiveCount }: MessageContext) => (failure: RunnerError): FailureDecision => {
    const decision = decider(receiveCount)(failure);
    // An unexpected error is wrapped in a plain RunnerError: its cause's class says more.
    const errorName = failure.name === "RunnerError" && failure.cause instanceof Error ? failure.cause.name : failure.name;
    metrics?.failedAttempt(log, { kind: failure.kind, errorName, decision: decision.action, receiveCount });
    return decision;
  };

  /** The one log line of a failed attempt: what failed, and when the message comes back. */
  const retryLater = (log: Logger, failure: RunnerError, delaySeconds: number, context: MessageContext): Disposition => {
    log.warn(
      { event: "attempt-failed", kind: failure.kind, receiveCount: context.receiveCount, retryInSeconds: delaySeconds, error: failure.message },
      `attempt ${context.receiveCount} failed; retrying in ${delaySeconds} s: ${failure.message}`,
    );
    metrics?.retry(log, { delaySeconds, receiveCount: context.receiveCount });
    return { action: "retry", delaySeconds };
  };

  /** The database failed to claim or record: record ERROR if this was the last chance, if it can. */
  const onDatabaseFailure = async (message: SubmissionMessage, error: unknown, context: MessageContext): Promise<Disposition> => {
    const { log, receiveCount } = context;
    const failure = toRunnerError(error, message.submissionId);
    const decision = decide(context)(failure);
    if (decision.action === "retry") return retryLater(log, failure, decision.delaySeconds, context);
    try {
      const failed = errorFeedback(failure.outcome, failure.studentMessage, message.pitId, 0);
      const recorded = await deps.submissions.updateSubmissionResult(message.submissionId, { ...failed, logsS3Key: null });
      log.error({ event: recorded ? "recorded" : "skipped", status: "ERROR", err: failure }, "gave up on this submission");
      if (recorded) metrics?.submission(log, { ...submissionFacts(message, context), outcome: failure.outcome, status: "ERROR" });
      return { action: "delete" };
    } catch {
      // Not even ERROR can be written: keep the message; past the queue's maxReceiveCount the DLQ keeps it.
      const delay = policy ? retryDelaySeconds(receiveCount, policy) : undefined;
      if (delay === undefined) throw failure;
      return retryLater(log, failure, delay, context);
    }
  };

  // Copies of one message handled by this task, chained: they would share the submission's workspace,
  // and once the first has recorded, the next finds the row final and is deleted without grading.
  const bySubmission = new Map<string, Promise<Disposition>>();

  const handle: MessageHandler = (message, context) => {
    const { submissionId } = message;
    const previous = bySubmission.get(submissionId);
    if (previous) context.log.info({ event: "duplicate-in-flight" }, "this task is already grading this submission; waiting for it");
    const mine = (async () => {
      if (previous) await previous.catch(() => undefined);
      return grade(message, context);
    })();
    bySubmission.set(submissionId, mine);
    return mine.finally(() => {
      if (bySubmission.get(submissionId) === mine) bySubmission.delete(submissionId);
    });
  };

  const grade = async (message: SubmissionMessage, context: MessageContext): Promise<Disposition> => {
    const { log } = context;
    let outcome;
    try {
      const attempt = (slot?: number) =>
        processSubmission(message, deps, slot === undefined ? log : log.child({ slot }), {
          signal,
          decide: decide(context),
          slot,
        });
      outcome = slots ? await slots.with(attempt) : await attempt();
    } catch (error) {
      return onDatabaseFailure(message, error, context);
    }
    if (outcome.kind === "retry") return retryLater(log, outcome.failure, outcome.delaySeconds, context);
    if (outcome.kind === "recorded") {
      const { status, timings } = outcome;
      metrics?.submission(log, { ...submissionFacts(message, context), outcome: outcome.outcome, status, timings });
    }
    if (outcome.kind === "skipped") log.info({ event: "skipped", reason: outcome.reason }, "nothing to record");
    return { action: "delete" };
  };

  const onPoison: PoisonHandler = async (reason, submissionId, { log }): Promise<Disposition> => {
    log.error({ event: "poison", reason }, "invalid message body; removing it from the queue");
    if (!submissionId) metrics?.poison(log, { recorded: false });
    if (submissionId) {
      // The row can still end: better an ERROR the student sees than a PENDING forever.
      const failed = errorFeedback("internal_error", "The grader received an invalid request for this submission.", "", 0);
      const recorded = await deps.submissions.updateSubmissionResult(submissionId, { ...failed, logsS3Key: null });
      log.info({ event: recorded ? "recorded" : "skipped", status: "ERROR" }, "poison message's row handled");
      metrics?.poison(log, { recorded });
    }
    return { action: "delete" };
  };

  return { handle, onPoison };
}

const submissionFacts = (message: SubmissionMessage, context: MessageContext) => ({
  pitId: message.pitId,
  createdAt: message.createdAt,
  receivedAt: context.receivedAt,
});
