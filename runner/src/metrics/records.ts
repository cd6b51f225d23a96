import type { StageTimings } from "../pipeline/stage";
import { DIMENSIONS, METRIC_GROUPS, OUTCOMES } from "./catalog";
import { emfRecord, type EmfPart, type EmfRecord } from "./emf";

/**
 * Pure builders of the runner's EMF records: facts in, one record out. No clock, no logger: the emitter
 * (emitter.ts) supplies the time and writes the record as one pino line.
 */

export interface SubmissionFacts {
  /** From the message; absent for a poison message. */
  pitId?: string;
  /** The feedback outcome written on the row. */
  outcome: string;
  status: "DONE" | "ERROR";
  /** The message's createdAt (ISO-8601): when the student submitted. */
  createdAt?: string;
  /** When this task received the message (ms since the epoch); for a retried submission, the last delivery. */
  receivedAt?: number;
  /** When the final row was written (ms since the epoch). */
  recordedAt: number;
  /** Per-stage durations from the pipeline (ms); only the stages that ran. */
  timings?: StageTimings;
}

/** PIT ids come from the message: anything that is not a plain id is folded into one value, never a new metric. */
const PLAIN_ID = /^[A-Za-z0-9._-]{1,128}$/;
export const OTHER = "other";

export function pitDimension(pitId: string): string {
  return PLAIN_ID.test(pitId) ? pitId : OTHER;
}

function outcomeDimension(outcome: string): string {
  return (OUTCOMES as readonly string[]).includes(outcome) ? outcome : OTHER;
}

/** ms between two instants, never negative: the API's clock may run a little ahead of the task's. */
const elapsed = (from: number, to: number) => Math.max(0, Math.round(to - from));

/** What the student waited (createdAt to recorded) and the part of it spent in the queue (createdAt to received). */
export function submissionLatency(facts: Pick<SubmissionFacts, "createdAt" | "receivedAt" | "recordedAt">): {
  studentLatencyMs?: number;
  queueWaitMs?: number;
} {
  const created = facts.createdAt === undefined ? Number.NaN : Date.parse(facts.createdAt);
  if (!Number.isFinite(created)) return {};
  return {
    studentLatencyMs: elapsed(created, facts.recordedAt),
    queueWaitMs: facts.receivedAt === undefined ? undefined : elapsed(created, Math.min(facts.receivedAt, facts.recordedAt)),
  };
}

export function submissionRecord(namespace: string, facts: SubmissionFacts): EmfRecord {
  const { studentLatencyMs, queueWaitMs } = submissionLatency(facts);
  return emfRecord(
    namespace,
    facts.recordedAt,
    [
      {
        group: METRIC_GROUPS.submissionTimes,
        values: {
          StudentLatency: studentLatencyMs,
          QueueWait: queueWaitMs,
          RunDuration: facts.timings?.run,
          GradeDuration: facts.timings?.grade,
          SubmissionsErrored: facts.status === "ERROR" ? 1 : 0,
        },
      },
      { group: METRIC_GROUPS.submissionOutcomes, values: { Submissions: 1 } },
    ],
    {
      [DIMENSIONS.pit]: facts.pitId === undefined ? undefined : pitDimension(facts.pitId),
      [DIMENSIONS.outcome]: outcomeDimension(facts.outcome),
    },
    { metricSet: "submission", status: facts.status },
  );
}

export interface FailedAttemptFacts {
  kind: "permanent" | "transient";
  /** The error's class name, for Logs Insights (not a dimension). */
  errorName: string;
  /** What the failure policy decided: another attempt, or ERROR now. */
  decision: "retry" | "record";
  receiveCount: number;
}

export function failedAttemptRecord(namespace: string, timestamp: number, facts: FailedAttemptFacts): EmfRecord {
  return emfRecord(
    namespace,
    timestamp,
    [{ group: METRIC_GROUPS.failedAttempts, values: { FailedAttempts: 1 } }],
    { [DIMENSIONS.errorKind]: facts.kind },
    { metricSet: "failed-attempt", errorName: facts.errorName, decision: facts.decision, receiveCount: facts.receiveCount },
  );
}

export function retryRecord(namespace: string, timestamp: number, facts: { delaySeconds: number; receiveCount: number }): EmfRecord {
  return emfRecord(namespace, timestamp, [{ group: METRIC_GROUPS.retries, values: { Retries: 1 } }], {}, {
    metricSet: "retry",
    ...facts,
  });
}

/** A body that can never be processed; when its row could still be set to ERROR, that is a submission ended ERROR. */
export function poisonRecord(namespace: string, timestamp: number, facts: { recorded: boolean }): EmfRecord {
  const parts: EmfPart[] = [{ group: METRIC_GROUPS.poison, values: { PoisonMessages: 1 } }];
  if (facts.recorded) {
    parts.push(
      { group: METRIC_GROUPS.submissionTimes, values: { SubmissionsErrored: 1 } },
      { group: METRIC_GROUPS.submissionOutcomes, values: { Submissions: 1 } },
    );
  }
  return emfRecord(namespace, timestamp, parts, { [DIMENSIONS.outcome]: "internal_error" }, {
    metricSet: "poison",
    recorded: facts.recorded,
  });
}

/** Processes of a slot's uid that survived the kill, or zombies its killed processes left (PID 1 does not reap). */
export function sandboxRecord(
  namespace: string,
  timestamp: number,
  facts: { uid: number; survivors?: number; zombies?: number },
): EmfRecord {
  return emfRecord(
    namespace,
    timestamp,
    [{ group: METRIC_GROUPS.sandbox, values: { SandboxSurvivors: facts.survivors, SandboxZombies: facts.zombies } }],
    {},
    { metricSet: "sandbox", uid: facts.uid },
  );
}

/** The periodic gauge: messages this task is handling, out of how many slots. */
export function slotsRecord(namespace: string, timestamp: number, facts: { inFlight: number; slots: number }): EmfRecord {
  const utilization = facts.slots > 0 ? Math.round((1000 * facts.inFlight) / facts.slots) / 10 : 0;
  return emfRecord(
    namespace,
    timestamp,
    [{ group: METRIC_GROUPS.slots, values: { InFlight: facts.inFlight, Slots: facts.slots, SlotUtilization: utilization } }],
    {},
    { metricSet: "slots" },
  );
}
