import type { Logger } from "pino";
import type { EmfRecord } from "./emf";
import {
  failedAttemptRecord,
  poisonRecord,
  retryRecord,
  sandboxRecord,
  slotsRecord,
  submissionRecord,
  type FailedAttemptFacts,
  type SubmissionFacts,
} from "./records";

/** What the sandbox needs to report what its kills left behind (sandbox.ts takes only this). */
export interface SandboxMetrics {
  sandboxLeftovers(log: Logger, facts: { uid: number; survivors?: number; zombies?: number }): void;
}

/**
 * Writes the runner's metrics as EMF records through the logger it is given: each record is one pino line
 * (`event: "metrics"`), so it carries that logger's bindings (submissionId, messageId) for Logs Insights, and
 * awslogs ships it to CloudWatch Logs, which extracts the metrics. No state but the namespace and the clock.
 */
export class MetricsEmitter implements SandboxMetrics {
  constructor(
    readonly namespace: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** A submission this task finished: its final row (DONE or ERROR) was just written. */
  submission(log: Logger, facts: Omit<SubmissionFacts, "recordedAt">): void {
    this.write(log, submissionRecord(this.namespace, { ...facts, recordedAt: this.now() }));
  }

  failedAttempt(log: Logger, facts: FailedAttemptFacts): void {
    this.write(log, failedAttemptRecord(this.namespace, this.now(), facts));
  }

  retry(log: Logger, facts: { delaySeconds: number; receiveCount: number }): void {
    this.write(log, retryRecord(this.namespace, this.now(), facts));
  }

  poison(log: Logger, facts: { recorded: boolean }): void {
    this.write(log, poisonRecord(this.namespace, this.now(), facts));
  }

  sandboxLeftovers(log: Logger, facts: { uid: number; survivors?: number; zombies?: number }): void {
    this.write(log, sandboxRecord(this.namespace, this.now(), facts));
  }

  slots(log: Logger, facts: { inFlight: number; slots: number }): void {
    this.write(log, slotsRecord(this.namespace, this.now(), facts));
  }

  private write(log: Logger, record: EmfRecord): void {
    if (record._aws.CloudWatchMetrics.length === 0) return;
    // Metrics are not log verbosity: RUNNER_LOG_LEVEL=warn must not silence them (the "nothing graded" alarm
    // would fire on a healthy service). Only "silent" turns them off with everything else.
    const out = log.isLevelEnabled("info") || log.level === "silent" ? log : log.child({}, { level: "info" });
    out.info({ event: "metrics", ...record }, "metrics");
  }
}

/**
 * The in-flight gauge: one record at start and every `intervalSeconds`, so a task that is stuck or idle still
 * shows up. Returns the function that stops it; the timer never keeps the process alive.
 */
export function startSlotsGauge(options: {
  emitter: MetricsEmitter;
  log: Logger;
  intervalSeconds: number;
  slots: number;
  inFlight: () => number;
}): () => void {
  const { emitter, log, slots, inFlight } = options;
  const sample = () => emitter.slots(log, { inFlight: inFlight(), slots });
  sample();
  const timer = setInterval(sample, options.intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
