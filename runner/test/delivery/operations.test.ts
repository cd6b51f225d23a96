import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../src/config";
import { DEFAULT_METRICS_NAMESPACE, DIMENSIONS, emittedMetrics, ERROR_KINDS, OUTCOMES } from "../../src/metrics/catalog";

/**
 * The operations definitions under runner/ecs/ (dashboard, alarms, scaling), checked the way
 * task-definition.test.ts checks the task definition: structure, placeholders, and that every metric they
 * reference is one the runner emits (src/metrics/catalog.ts) or one AWS publishes for the queue and the service.
 */
const RUNNER_DIR = path.resolve(__dirname, "..", "..");
const ECS_DIR = path.join(RUNNER_DIR, "ecs");
const read = (file: string) => readFileSync(path.join(ECS_DIR, file), "utf8");
const backend = readFileSync(path.join(RUNNER_DIR, "..", "backend.md"), "utf8");
const operations = backend.split(/^## Operations$/m)[1]?.split(/^## /m)[0] ?? "";

const ALARM_FILES = readdirSync(path.join(ECS_DIR, "alarms")).filter((f) => f.endsWith(".json")).sort();
const FILES = ["dashboard.json", "scalable-target.json", "scaling-policy.json", ...ALARM_FILES.map((f) => `alarms/${f}`)];
const PLACEHOLDERS = ["ALARM_TOPIC_ARN", "AWS_REGION"];

const QUEUE = "submissions-queue";
const DLQ = "submissions-queue-dlq";
const CLUSTER = { ClusterName: "uoc-tfm-cluster", ServiceName: "worker-service" };
/** What AWS publishes that the definitions may use, with the dimension values of this deployment. */
const AWS_METRICS: Record<string, { names: string[]; dimensions: Record<string, string[]> }> = {
  "AWS/SQS": {
    names: ["ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible", "ApproximateAgeOfOldestMessage"],
    dimensions: { QueueName: [QUEUE, DLQ] },
  },
  "ECS/ContainerInsights": {
    names: ["RunningTaskCount"],
    dimensions: { ClusterName: [CLUSTER.ClusterName], ServiceName: [CLUSTER.ServiceName] },
  },
};
/** Allowed values of the runner's dimensions; PitId is open (one per exercise) and only used through SEARCH. */
const DIMENSION_VALUES: Record<string, readonly string[] | undefined> = {
  [DIMENSIONS.outcome]: OUTCOMES,
  [DIMENSIONS.errorKind]: ERROR_KINDS,
  [DIMENSIONS.pit]: undefined,
};

const stat = z.string().regex(/^(Sum|Average|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d+)?)$/);
const period = z.number().int().positive().multipleOf(60);
const dimension = z.strictObject({ Name: z.string(), Value: z.string() });
const metric = z.strictObject({ Namespace: z.string(), MetricName: z.string(), Dimensions: z.array(dimension) });
const metricQuery = z.strictObject({
  Id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/),
  ReturnData: z.boolean(),
  Label: z.string().optional(),
  Expression: z.string().optional(),
  MetricStat: z.strictObject({ Metric: metric, Period: period.optional(), Stat: stat }).optional(),
});
// Strict: a misspelt key (the CLI would reject it) fails here instead of at put-metric-alarm time.
const alarmSchema = z.strictObject({
  AlarmName: z.string().regex(/^runner-[a-z0-9-]+$/),
  AlarmDescription: z.string().max(1024),
  ActionsEnabled: z.literal(true),
  AlarmActions: z.array(z.literal("${ALARM_TOPIC_ARN}")).length(1),
  OKActions: z.array(z.literal("${ALARM_TOPIC_ARN}")).length(1),
  Namespace: z.string().optional(),
  MetricName: z.string().optional(),
  Dimensions: z.array(dimension).optional(),
  Statistic: z.enum(["Sum", "Average", "Minimum", "Maximum", "SampleCount"]).optional(),
  ExtendedStatistic: z.string().regex(/^p\d{1,2}(\.\d+)?$/).optional(),
  Period: period.optional(),
  Metrics: z.array(metricQuery).optional(),
  EvaluationPeriods: z.number().int().positive(),
  DatapointsToAlarm: z.number().int().positive(),
  Threshold: z.number(),
  ComparisonOperator: z.enum(["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"]),
  TreatMissingData: z.enum(["breaching", "notBreaching", "ignore", "missing"]),
});
const scalingTarget = z.strictObject({
  ServiceNamespace: z.literal("ecs"),
  ResourceId: z.string(),
  ScalableDimension: z.literal("ecs:service:DesiredCount"),
  MinCapacity: z.number().int().min(1),
  MaxCapacity: z.number().int(),
});
const trackingConfig = z.strictObject({
  TargetValue: z.number().positive(),
  CustomizedMetricSpecification: z.strictObject({ Metrics: z.array(metricQuery) }),
  ScaleOutCooldown: z.number().int(),
  ScaleInCooldown: z.number().int(),
});
const scalingPolicy = z.strictObject({
  PolicyName: z.string(),
  ServiceNamespace: z.literal("ecs"),
  ResourceId: z.string(),
  ScalableDimension: z.literal("ecs:service:DesiredCount"),
  PolicyType: z.literal("TargetTrackingScaling"),
  TargetTrackingScalingPolicyConfiguration: trackingConfig,
});
const options = z.record(z.string(), z.unknown());
const metricWidget = z.strictObject({
  type: z.literal("metric"),
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  width: z.number().int().min(1).max(24),
  height: z.number().int().min(1),
  properties: z.strictObject({
    title: z.string(),
    region: z.literal("${AWS_REGION}"),
    view: z.enum(["timeSeries", "singleValue", "bar", "pie", "gauge"]),
    period,
    stat: stat.optional(),
    stacked: z.boolean().optional(),
    metrics: z.array(z.array(z.union([z.string(), options])).min(1)),
    annotations: z.strictObject({ horizontal: z.array(z.strictObject({ label: z.string(), value: z.number() })) }).optional(),
  }),
});
const logWidget = z.strictObject({
  type: z.literal("log"),
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  width: z.number().int().min(1).max(24),
  height: z.number().int().min(1),
  properties: z.strictObject({ title: z.string(), region: z.literal("${AWS_REGION}"), view: z.literal("table"), query: z.string() }),
});
const dashboardSchema = z.strictObject({
  start: z.string(),
  periodOverride: z.enum(["auto", "inherit"]),
  widgets: z.array(z.discriminatedUnion("type", [metricWidget, logWidget])),
});

const dashboard = dashboardSchema.parse(JSON.parse(read("dashboard.json")));
const alarms = ALARM_FILES.map((f) => ({ file: f, alarm: alarmSchema.parse(JSON.parse(read(`alarms/${f}`))) }));
const target = scalingTarget.parse(JSON.parse(read("scalable-target.json")));
const policy = scalingPolicy.parse(JSON.parse(read("scaling-policy.json")));

/** A metric as a definition names it: namespace, name and its dimensions (value undefined inside a SEARCH). */
interface Reference {
  where: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string | undefined>;
}

/** SEARCH('{Namespace,Dim1,Dim2} MetricName="Name"', ...): the schema names exactly the dimension keys. */
function searchReferences(expression: string, where: string): Reference[] {
  return [...expression.matchAll(/SEARCH\('\{([^}]+)\}\s+MetricName="([^"]+)"'/g)].map((m) => {
    const [namespace = "", ...keys] = m[1]!.split(",").map((s) => s.trim());
    return { where, namespace, name: m[2]!, dimensions: Object.fromEntries(keys.map((k) => [k, undefined])) };
  });
}

function dashboardReferences(): Reference[] {
  return dashboard.widgets.flatMap((widget) => {
    if (widget.type !== "metric") return [];
    const where = `dashboard "${widget.properties.title}"`;
    return widget.properties.metrics.flatMap((entry): Reference[] => {
      const strings = entry.filter((e): e is string => typeof e === "string");
      const last = entry[entry.length - 1];
      if (strings.length === 0) {
        const expression = (last as { expression?: unknown }).expression;
        expect(typeof expression, where).toBe("string");
        return searchReferences(expression as string, where);
      }
      // [namespace, name, dim, value, dim, value..., options?]
      expect(strings.length % 2, `${where}: ${strings.join(" ")}`).toBe(0);
      const [namespace, name, ...pairs] = strings;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
      return [{ where, namespace: namespace!, name: name!, dimensions }];
    });
  });
}

function queryReferences(queries: z.infer<typeof metricQuery>[], where: string): Reference[] {
  return queries.flatMap((q) => {
    if (!q.MetricStat) return [];
    const { Namespace, MetricName, Dimensions } = q.MetricStat.Metric;
    return [{ where, namespace: Namespace, name: MetricName, dimensions: Object.fromEntries(Dimensions.map((d) => [d.Name, d.Value])) }];
  });
}

function alarmReferences(): Reference[] {
  return alarms.flatMap(({ file, alarm }) => {
    const where = `alarm ${file}`;
    if (alarm.Metrics) return queryReferences(alarm.Metrics, where);
    const dimensions = Object.fromEntries((alarm.Dimensions ?? []).map((d) => [d.Name, d.Value]));
    return [{ where, namespace: alarm.Namespace!, name: alarm.MetricName!, dimensions }];
  });
}

const REFERENCES = [
  ...dashboardReferences(),
  ...alarmReferences(),
  ...queryReferences(policy.TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics, "scaling policy"),
];

/** Why a reference names no metric anyone publishes; undefined when it is fine. */
function problemOf(ref: Reference): string | undefined {
  const keys = Object.keys(ref.dimensions).sort();
  if (ref.namespace === DEFAULT_METRICS_NAMESPACE) {
    const emitted = emittedMetrics().find((m) => m.name === ref.name);
    if (!emitted) return `the runner emits no metric ${ref.name}`;
    if (!emitted.dimensionSets.some((set) => [...set].sort().join() === keys.join())) {
      return `${ref.name} is not published with dimensions [${keys.join(", ")}]`;
    }
    for (const [key, value] of Object.entries(ref.dimensions)) {
      // A SEARCH matches whatever values exist; a literal value must be one the runner writes.
      if (value === undefined) continue;
      const allowed = DIMENSION_VALUES[key];
      if (!allowed?.includes(value)) return `${key}=${value} is not a value the runner writes`;
    }
    return undefined;
  }
  const aws = AWS_METRICS[ref.namespace];
  if (!aws) return `unknown namespace ${ref.namespace}`;
  if (!aws.names.includes(ref.name)) return `${ref.namespace} ${ref.name} is not one of the metrics used here`;
  if (keys.join() !== Object.keys(aws.dimensions).sort().join()) return `${ref.name} needs dimensions ${Object.keys(aws.dimensions).join(", ")}`;
  for (const [key, value] of Object.entries(ref.dimensions)) {
    if (value === undefined || !aws.dimensions[key]!.includes(value)) return `${key}=${String(value)} is not this deployment's`;
  }
  return undefined;
}

describe("operations definitions under runner/ecs/", () => {
  it("reference only metrics the runner emits (its namespace, names and dimension sets) or AWS publishes", () => {
    expect(REFERENCES.length).toBeGreaterThan(20);
    const problems = REFERENCES.map((ref) => [ref.where, ref.name, problemOf(ref)]).filter(([, , p]) => p !== undefined);
    expect(problems).toEqual([]);
  });

  it("use the namespace the runner uses by default", () => {
    const config = loadConfig({ AWS_REGION: "eu-south-2", AWS_SQS_QUEUE_URL: "https://sqs.example/q", AWS_S3_BUCKET: "b", DATABASE_URL: "postgres://x" });
    expect(config.metrics.namespace).toBe(DEFAULT_METRICS_NAMESPACE);
    const namespaces = new Set(REFERENCES.map((r) => r.namespace));
    expect([...namespaces].sort()).toEqual(["AWS/SQS", DEFAULT_METRICS_NAMESPACE, "ECS/ContainerInsights"].sort());
  });

  it("show every metric the runner emits on the dashboard", () => {
    const shown = new Set(dashboardReferences().filter((r) => r.namespace === DEFAULT_METRICS_NAMESPACE).map((r) => r.name));
    expect(emittedMetrics().map((m) => m.name).filter((name) => !shown.has(name))).toEqual([]);
  });

  it("use only the documented placeholders and hard-code no account id", () => {
    const text = FILES.map(read).join("\n");
    expect([...new Set([...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]))].sort()).toEqual(PLACEHOLDERS);
    expect(text).not.toMatch(/\b\d{12}\b/);
    for (const name of PLACEHOLDERS) expect(operations, `backend.md "Operations" documents ${name}`).toContain(`\${${name}}`);
    for (const file of FILES) expect(operations, `backend.md "Operations" names ${file}`).toContain(file);
  });
});

describe("dashboard", () => {
  it("lays its widgets on the 24-column grid without overlap", () => {
    const cells = new Set<string>();
    for (const { x, y, width, height } of dashboard.widgets) {
      expect(x + width).toBeLessThanOrEqual(24);
      for (let i = x; i < x + width; i++) for (let j = y; j < y + height; j++) {
        expect(cells.has(`${i},${j}`), `cell ${i},${j}`).toBe(false);
        cells.add(`${i},${j}`);
      }
    }
  });

  it("queries the runner's log group with Logs Insights", () => {
    const task = JSON.parse(read("task-definition.json")) as {
      containerDefinitions: { logConfiguration: { options: Record<string, string> } }[];
    };
    const group = task.containerDefinitions[0]!.logConfiguration.options["awslogs-group"];
    const logs = dashboard.widgets.filter((w) => w.type === "log");
    expect(logs.length).toBeGreaterThan(0);
    for (const w of logs) expect(w.properties.query.startsWith(`SOURCE '${group}' |`)).toBe(true);
  });
});

describe("alarms", () => {
  it("are the four the operations guide explains", () => {
    expect(alarms.map((a) => a.alarm.AlarmName).sort()).toEqual([
      "runner-backlog-stalled",
      "runner-dlq-messages",
      "runner-error-rate",
      "runner-student-latency-p95",
    ]);
    for (const { alarm } of alarms) expect(operations).toContain(alarm.AlarmName);
  });

  it.each(ALARM_FILES)("%s is either one metric with one statistic or metric math returning one series", (file) => {
    const { alarm } = alarms.find((a) => a.file === file)!;
    expect(alarm.DatapointsToAlarm).toBeLessThanOrEqual(alarm.EvaluationPeriods);
    if (alarm.Metrics) {
      expect(alarm.Namespace ?? alarm.MetricName ?? alarm.Statistic ?? alarm.ExtendedStatistic ?? alarm.Period).toBeUndefined();
      expect(alarm.Metrics.filter((m) => m.ReturnData)).toHaveLength(1);
      const ids = new Set(alarm.Metrics.map((m) => m.Id));
      expect(ids.size).toBe(alarm.Metrics.length);
      for (const m of alarm.Metrics) {
        expect(Boolean(m.Expression) !== Boolean(m.MetricStat), m.Id).toBe(true);
        if (m.MetricStat) expect(m.MetricStat.Period, m.Id).toBeDefined();
        const used = m.Expression?.match(/\b[a-z][a-zA-Z0-9_]*\b/g)?.filter((w) => !["and", "or"].includes(w)) ?? [];
        for (const id of used) expect(ids.has(id), `${m.Id} uses ${id}`).toBe(true);
      }
    } else {
      expect(alarm.Namespace && alarm.MetricName && alarm.Period).toBeTruthy();
      expect([alarm.Statistic, alarm.ExtendedStatistic].filter(Boolean)).toHaveLength(1);
    }
  });

  it("calls a backlog stalled after 10 minutes", () => {
    const { alarm } = alarms.find((a) => a.alarm.AlarmName === "runner-backlog-stalled")!;
    const periods = alarm.Metrics!.flatMap((m) => (m.MetricStat ? [m.MetricStat.Period!] : []));
    expect(new Set(periods)).toEqual(new Set([60]));
    expect(alarm.EvaluationPeriods * 60).toBe(600);
    expect(alarm.DatapointsToAlarm).toBe(alarm.EvaluationPeriods);
  });
});

describe("scaling on queue backlog", () => {
  it("is the policy backend.md shows, on the scalable target it registers", () => {
    const section = backend.split(/^### Scaling on queue backlog$/m)[1]?.split(/^###? /m)[0] ?? "";
    const shown = /`backlog\.json`:\s*```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(shown).toBeDefined();
    expect(policy.TargetTrackingScalingPolicyConfiguration).toEqual(JSON.parse(shown!));
    expect(section).toContain(`--policy-name ${policy.PolicyName}`);
    expect(section).toContain(`--resource-id ${target.ResourceId}`);
    expect(section).toContain(`--min-capacity ${target.MinCapacity} --max-capacity ${target.MaxCapacity}`);
    expect(policy.ResourceId).toBe(target.ResourceId);
    expect(target.MaxCapacity).toBeGreaterThanOrEqual(target.MinCapacity);
  });
});
