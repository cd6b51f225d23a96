import { describe, expect, it } from "vitest";
import { emittedMetrics, METRIC_GROUPS } from "./catalog";
import { emfRecord } from "./emf";
import { emfProblems } from "./emf-spec";
import { failedAttemptRecord, poisonRecord, retryRecord, sandboxRecord, slotsRecord, submissionRecord } from "./records";

const NS = "Runner";
const T = Date.parse("2026-12-01T10:00:00.000Z");

/** One of each record the runner writes, in its fullest and its emptiest form. */
const RECORDS = {
  "submission DONE": submissionRecord(NS, {
    pitId: "java-maven-dummy-dev",
    outcome: "passed",
    status: "DONE",
    createdAt: "2026-12-01T09:59:00.000Z",
    receivedAt: T - 30_000,
    recordedAt: T,
    timings: { run: 12_345.6, grade: 12.3 },
  }),
  "submission ERROR before running": submissionRecord(NS, { pitId: "p", outcome: "invalid_submission", status: "ERROR", recordedAt: T }),
  "failed attempt": failedAttemptRecord(NS, T, { kind: "transient", errorName: "S3ServiceException", decision: "retry", receiveCount: 1 }),
  retry: retryRecord(NS, T, { delaySeconds: 10, receiveCount: 1 }),
  "poison, row recorded": poisonRecord(NS, T, { recorded: true }),
  "poison, no row": poisonRecord(NS, T, { recorded: false }),
  survivors: sandboxRecord(NS, T, { uid: 10_000, survivors: 2 }),
  zombies: sandboxRecord(NS, T, { uid: 10_000, zombies: 3 }),
  slots: slotsRecord(NS, T, { inFlight: 1, slots: 2 }),
};

describe("EMF records against the specification", () => {
  it.each(Object.entries(RECORDS))("%s is a valid EMF record", (_name, record) => {
    // Through JSON, as CloudWatch Logs reads it.
    expect(emfProblems(JSON.parse(JSON.stringify(record)))).toEqual([]);
    expect(record._aws.CloudWatchMetrics.length).toBeGreaterThan(0);
  });

  it("publishes only metrics of the catalog, each with its unit and only its dimension sets", () => {
    const catalog = new Map(emittedMetrics().map((m) => [m.name, m]));
    for (const record of Object.values(RECORDS)) {
      for (const directive of record._aws.CloudWatchMetrics) {
        expect(directive.Namespace).toBe(NS);
        for (const metric of directive.Metrics) {
          const known = catalog.get(metric.Name);
          expect(known, metric.Name).toBeDefined();
          expect(metric.Unit).toBe(known!.unit);
          for (const set of directive.Dimensions) expect(known!.dimensionSets).toContainEqual(set);
        }
      }
    }
  });

  it("never makes a submission or user id a dimension", () => {
    const keys = Object.values(RECORDS).flatMap((r) => r._aws.CloudWatchMetrics.flatMap((d) => d.Dimensions.flat()));
    expect(new Set(keys)).toEqual(new Set(["PitId", "Outcome", "ErrorKind"]));
  });

  it("leaves out metrics without a value and dimension sets without their keys", () => {
    const error = RECORDS["submission ERROR before running"];
    const names = error._aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => m.Name));
    expect(names.sort()).toEqual(["Submissions", "SubmissionsErrored"]);
    const poison = RECORDS["poison, row recorded"];
    expect(poison._aws.CloudWatchMetrics.flatMap((d) => d.Dimensions)).not.toContainEqual(["PitId"]);
    expect(poison).toMatchObject({ Outcome: "internal_error", Submissions: 1, SubmissionsErrored: 1, PoisonMessages: 1 });
    const empty = emfRecord(NS, T, [{ group: METRIC_GROUPS.sandbox, values: {} }], {});
    expect(empty._aws.CloudWatchMetrics).toEqual([]);
  });
});

interface Directive {
  [member: string]: unknown;
  Metrics: { Name: string; Unit: string }[];
}
/** A record as parsed JSON, loose enough to spoil. */
interface Spoil {
  [member: string]: unknown;
  _aws: { [member: string]: unknown; CloudWatchMetrics: Directive[] };
}

describe("emfProblems (the check itself)", () => {
  const valid = () => JSON.parse(JSON.stringify(RECORDS["submission DONE"])) as Spoil;

  it.each([
    ["no _aws", (r: Spoil) => delete (r as Record<string, unknown>)._aws, /_aws is missing/],
    ["a Timestamp in seconds as a string", (r: Spoil) => (r._aws.Timestamp = "1764583200"), /Timestamp/],
    ["CloudWatchMetrics not an array", (r: Spoil) => ((r._aws as Record<string, unknown>).CloudWatchMetrics = {}), /must be an array/],
    ["a non-string Namespace", (r: Spoil) => (r._aws.CloudWatchMetrics[0]!.Namespace = 7), /Namespace/],
    ["Dimensions not an array of arrays", (r: Spoil) => (r._aws.CloudWatchMetrics[0]!.Dimensions = ["PitId"]), /array of strings/],
    ["31 dimension keys", (r: Spoil) => {
      const keys = Array.from({ length: 31 }, (_, i) => `D${i}`);
      for (const k of keys) r[k] = "x";
      r._aws.CloudWatchMetrics[0]!.Dimensions = [keys];
    }, /more than 30 keys/],
    ["a dimension key missing from the root", (r: Spoil) => delete r.PitId, /PitId is not a top-level string/],
    ["a numeric dimension value", (r: Spoil) => (r.PitId = 3), /PitId is not a top-level string/],
    ["a metric value missing", (r: Spoil) => delete r.StudentLatency, /StudentLatency is not a top-level number/],
    ["a metric value as a string", (r: Spoil) => (r.QueueWait = "12"), /QueueWait is not a top-level number/],
    ["an unknown unit", (r: Spoil) => (r._aws.CloudWatchMetrics[0]!.Metrics[0]!.Unit = "Millis"), /unit Millis/],
    ["101 metrics in one directive", (r: Spoil) => {
      r._aws.CloudWatchMetrics[0]!.Metrics = Array.from({ length: 101 }, (_, i) => ({ Name: `M${i}`, Unit: "Count" }));
      for (let i = 0; i < 101; i++) r[`M${i}`] = 1;
    }, /more than 100 metrics/],
    ["an extra member in a directive", (r: Spoil) => (r._aws.CloudWatchMetrics[0]!.Dimension = []), /unexpected member Dimension/],
  ])("finds %s", (_name, spoil, problem) => {
    const record = valid();
    expect(emfProblems(record)).toEqual([]);
    spoil(record);
    expect(emfProblems(record).join("\n")).toMatch(problem);
  });

  it("accepts an array of values", () => {
    const record = valid();
    record.StudentLatency = [1, 2, 3];
    expect(emfProblems(record)).toEqual([]);
  });
});
