import type { DimensionName, MetricGroup } from "./catalog";

/**
 * CloudWatch Embedded Metric Format (EMF), written from its specification
 * (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * Not the aws-embedded-metrics library: on ECS it sends its records to a CloudWatch agent over TCP (and on Lambda
 * or "Local" it writes its own lines with console.log), so it would be a second writer beside the one pino root
 * logger; here an EMF record is just the members of one pino line.
 */

/** The units the specification allows for a MetricDefinition. */
export const EMF_UNITS = [
  "Seconds", "Microseconds", "Milliseconds",
  "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
  "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
  "Percent", "Count",
  "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
  "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
  "Count/Second", "None",
] as const;
export type EmfUnit = (typeof EMF_UNITS)[number];

export const EMF_LIMITS = { dimensionsPerSet: 30, metricsPerDirective: 100, valuesPerMetric: 100 } as const;

export interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit: EmfUnit }[];
}

export interface EmfRecord {
  _aws: { Timestamp: number; CloudWatchMetrics: EmfDirective[] };
  [member: string]: unknown;
}

export interface EmfPart {
  group: MetricGroup;
  /** Metric name -> value; a metric without a value (a stage that never ran) is left out of the directive. */
  values: Partial<Record<string, number>>;
}

/**
 * One EMF record: a directive per part, each with only the metrics that have a value and only the dimension sets
 * whose every key has a value (a poison message has no PIT), and the values as top-level members.
 * `properties` are extra members for Logs Insights (never dimensions: they cost nothing per value).
 */
export function emfRecord(
  namespace: string,
  timestamp: number,
  parts: EmfPart[],
  dimensions: Partial<Record<DimensionName, string>>,
  properties: Record<string, unknown> = {},
): EmfRecord {
  const members: Record<string, unknown> = { ...properties };
  const directives: EmfDirective[] = [];
  for (const { group, values } of parts) {
    const metrics = Object.entries(group.metrics).filter(([name]) => isMetricValue(values[name]));
    if (metrics.length === 0) continue;
    const sets = group.dimensionSets.filter((set) => set.every((key) => dimensions[key] !== undefined));
    if (sets.length === 0) continue;
    for (const [name] of metrics) members[name] = values[name];
    for (const key of sets.flat()) members[key] = dimensions[key];
    directives.push({
      Namespace: namespace,
      Dimensions: sets.map((set) => [...set]),
      Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
    });
  }
  return { ...members, _aws: { Timestamp: timestamp, CloudWatchMetrics: directives } };
}

function isMetricValue(value: number | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
