import type { EmfUnit } from "./emf";

/** CloudWatch namespace of the runner's metrics when RUNNER_METRICS_NAMESPACE is not set. */
export const DEFAULT_METRICS_NAMESPACE = "Runner";

/**
 * Dimension names. PascalCase on purpose: pino's own members (level, time, pid, hostname, msg) and the
 * runner's bindings (service, submissionId, messageId, slot) are camelCase, so an EMF member can never collide
 * with one of them on the same line (pino would write the key twice).
 */
export const DIMENSIONS = { pit: "PitId", outcome: "Outcome", errorKind: "ErrorKind" } as const;
export type DimensionName = (typeof DIMENSIONS)[keyof typeof DIMENSIONS];

/** The feedback outcomes (../shared/CONTRACT.md §4): the only values the Outcome dimension takes. */
export const OUTCOMES = ["passed", "failed", "compile_error", "timeout", "invalid_submission", "internal_error"] as const;
/** RunnerError kinds: the only values the ErrorKind dimension takes. */
export const ERROR_KINDS = ["permanent", "transient"] as const;

export interface MetricGroup {
  /** Metric name -> unit. */
  metrics: Readonly<Record<string, EmfUnit>>;
  /**
   * Every dimension set the group's metrics are published under. `[]` is the rollup with no dimension, which
   * alarms use for totals; each set is a separate CloudWatch metric (and a separate charge), so they stay few.
   */
  dimensionSets: readonly (readonly DimensionName[])[];
}

/**
 * Every metric the runner emits, grouped by the dimension sets they share (one group = one EMF MetricDirective).
 * The record builders only take names from here, and test/delivery/operations.test.ts checks every metric the
 * dashboard, alarms and scaling policy reference against this list.
 */
export const METRIC_GROUPS = {
  /** One per submission this task finished (DONE or ERROR). */
  submissionTimes: {
    metrics: {
      StudentLatency: "Milliseconds",
      QueueWait: "Milliseconds",
      RunDuration: "Milliseconds",
      GradeDuration: "Milliseconds",
      SubmissionsErrored: "Count",
    },
    dimensionSets: [[], [DIMENSIONS.pit]],
  },
  submissionOutcomes: {
    metrics: { Submissions: "Count" },
    dimensionSets: [[], [DIMENSIONS.outcome], [DIMENSIONS.pit, DIMENSIONS.outcome]],
  },
  /** One per failed attempt, whether it is retried or recorded as ERROR. */
  failedAttempts: { metrics: { FailedAttempts: "Count" }, dimensionSets: [[], [DIMENSIONS.errorKind]] },
  /** One per message left on the queue for another attempt. */
  retries: { metrics: { Retries: "Count" }, dimensionSets: [[]] },
  poison: { metrics: { PoisonMessages: "Count" }, dimensionSets: [[]] },
  /** At a slot's cleanup, when the kill left processes alive or zombies behind. */
  sandbox: { metrics: { SandboxSurvivors: "Count", SandboxZombies: "Count" }, dimensionSets: [[]] },
  /** The periodic gauge, one per task every RUNNER_METRICS_INTERVAL_SECONDS. */
  slots: { metrics: { InFlight: "Count", Slots: "Count", SlotUtilization: "Percent" }, dimensionSets: [[]] },
} as const satisfies Record<string, MetricGroup>;

export type MetricGroupName = keyof typeof METRIC_GROUPS;
export type MetricName = {
  [G in MetricGroupName]: keyof (typeof METRIC_GROUPS)[G]["metrics"];
}[MetricGroupName];

export interface EmittedMetric {
  name: string;
  unit: EmfUnit;
  dimensionSets: readonly (readonly DimensionName[])[];
}

/** The flat list of what the runner publishes: name, unit and dimension sets of each metric. */
export function emittedMetrics(): EmittedMetric[] {
  return Object.values(METRIC_GROUPS).flatMap((group: MetricGroup) =>
    Object.entries(group.metrics).map(([name, unit]) => ({ name, unit, dimensionSets: group.dimensionSets })),
  );
}
