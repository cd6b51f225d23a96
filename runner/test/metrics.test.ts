import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emfProblems } from "../src/metrics/emf-spec";
import { SAMPLES_DIR, startHarness, type Harness, type LogSink } from "./helpers/harness";
import { isolatedQueue, Outage } from "./helpers/reliability";

/**
 * The metrics as the real runner writes them: EMF records in its pino output, found by submission, checked
 * against the specification and for their values and dimensions.
 */
const PIT = "javascript-node-dummy-dev";
type Line = Record<string, unknown>;

let h: Harness;
let logs: LogSink;
let s3: Outage;

beforeAll(async () => {
  h = await startHarness();
  h.clients.pool.on("error", () => undefined);
  s3 = await Outage.relay(h.stack.endpoint);
  ({ logs } = h.startRunner({ RUNNER_CONCURRENCY: "2", RUNNER_METRICS_INTERVAL_SECONDS: "1" }));
});
afterAll(async () => {
  await s3?.close();
  await h?.stop();
});

const metricLines = (sink: LogSink, metricSet: string, submissionId?: string): Line[] =>
  sink.events("metrics").filter((l) => l.metricSet === metricSet && (submissionId === undefined || l.submissionId === submissionId));

/** Dimension sets of every directive of a record, keyed by metric name. */
function dimensionsByMetric(record: Line): Record<string, string[][]> {
  const aws = record._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  return Object.fromEntries(aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => [m.Name, d.Dimensions])));
}

async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("per-submission metrics", () => {
  const graded = new Map<string, { submissionId: string; createdAt: number; doneAt: number }>();

  beforeAll(async () => {
    for (const sample of ["passing", "failing"]) {
      const createdAt = Date.now();
      const { submissionId } = await h.api.submit({ pitId: PIT, source: path.join(SAMPLES_DIR, PIT, sample) });
      graded.set(sample, { submissionId, createdAt, doneAt: 0 });
    }
    for (const entry of graded.values()) {
      await h.api.waitForFinal(entry.submissionId, 60_000);
      entry.doneAt = Date.now();
    }
  }, 90_000);

  it.each([
    ["passing", "passed"],
    ["failing", "failed"],
  ])("%s: one submission record with its latency, queue wait, durations and outcome", async (sample, outcome) => {
    const { submissionId, createdAt, doneAt } = graded.get(sample)!;
    // The record is written right after the row; the test may see the row first.
    const [record, ...others] = await waitFor("the submission record", () => {
      const found = metricLines(logs, "submission", submissionId);
      return found.length > 0 ? found : undefined;
    });
    expect(others).toEqual([]);
    expect(emfProblems(record)).toEqual([]);
    expect(record).toMatchObject({ PitId: PIT, Outcome: outcome, status: "DONE", Submissions: 1, SubmissionsErrored: 0, submissionId });
    const latency = record!.StudentLatency as number;
    const wait = record!.QueueWait as number;
    expect(wait).toBeGreaterThanOrEqual(0);
    expect(latency).toBeGreaterThanOrEqual(wait);
    // Measured from the message's createdAt, set just after `createdAt` here, to the row, seen before `doneAt`.
    expect(latency).toBeLessThanOrEqual(doneAt - createdAt + 1000);
    expect(record!.RunDuration as number).toBeGreaterThan(0);
    expect(record!.GradeDuration as number).toBeGreaterThanOrEqual(0);
    expect(latency).toBeGreaterThanOrEqual((record!.RunDuration as number) - 1);

    const dims = dimensionsByMetric(record!);
    for (const name of ["StudentLatency", "QueueWait", "RunDuration", "GradeDuration", "SubmissionsErrored"]) {
      expect(dims[name], name).toEqual([[], ["PitId"]]);
    }
    expect(dims.Submissions).toEqual([[], ["Outcome"], ["PitId", "Outcome"]]);
    const namespaces = (record!._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics.map((d) => d.Namespace);
    expect(new Set(namespaces)).toEqual(new Set(["Runner"]));
  });

  it("samples the busy slots every RUNNER_METRICS_INTERVAL_SECONDS", async () => {
    const gauges = await waitFor("two gauge records", () => {
      const found = metricLines(logs, "slots");
      return found.length >= 2 ? found : undefined;
    });
    for (const g of gauges) {
      expect(emfProblems(g)).toEqual([]);
      expect(g).toMatchObject({ Slots: 2 });
      expect(g.InFlight as number).toBeGreaterThanOrEqual(0);
      expect(g.InFlight as number).toBeLessThanOrEqual(2);
      expect(g).not.toHaveProperty("submissionId");
    }
  });
});

describe("failures", () => {
  it("a ZIP missing in S3: one failed attempt (permanent) and a submission ended ERROR", async () => {
    const submissionId = randomUUID();
    const fileKey = `submissions/u-metrics/${submissionId}.zip`;
    await h.clients.pool.query(`INSERT INTO submissions (id, "userId", "pitId", "fileKey") VALUES ($1, 'u-metrics', $2, $3)`, [
      submissionId,
      PIT,
      fileKey,
    ]);
    await h.api.send({ submissionId, fileKey, userId: "u-metrics", pitId: PIT, createdAt: new Date().toISOString() });
    const row = await h.api.waitForFinal(submissionId, 30_000);
    expect(row.status).toBe("ERROR");

    const record = await waitFor("the submission record", () => metricLines(logs, "submission", submissionId)[0]);
    expect(emfProblems(record)).toEqual([]);
    expect(record).toMatchObject({ PitId: PIT, Outcome: row.feedback?.outcome, status: "ERROR", Submissions: 1, SubmissionsErrored: 1 });
    expect(record).not.toHaveProperty("RunDuration");
    const attempts = metricLines(logs, "failed-attempt", submissionId);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ FailedAttempts: 1, ErrorKind: "permanent", decision: "record", receiveCount: 1 });
    expect(emfProblems(attempts[0])).toEqual([]);
    expect(metricLines(logs, "retry", submissionId)).toEqual([]);
  });

  it("a poison message with a readable submissionId: counted, and its row ended ERROR", async () => {
    const submissionId = randomUUID();
    await h.clients.pool.query(`INSERT INTO submissions (id, "userId", "pitId", "fileKey") VALUES ($1, 'u-metrics', $2, 'x')`, [
      submissionId,
      PIT,
    ]);
    await h.api.send({ submissionId, pitId: PIT });
    await h.api.waitForFinal(submissionId, 30_000);
    const record = await waitFor("the poison record", () => metricLines(logs, "poison", submissionId)[0]);
    expect(emfProblems(record)).toEqual([]);
    expect(record).toMatchObject({ PoisonMessages: 1, Submissions: 1, SubmissionsErrored: 1, Outcome: "internal_error", recorded: true });
    expect(record).not.toHaveProperty("PitId");
  });

  it("S3 down through the last attempt: a transient failure retried once, then ERROR", async () => {
    s3.setDown(true);
    try {
      const q = await isolatedQueue(h, "metrics-s3-gone", { visibilityTimeoutSeconds: 5, maxReceiveCount: 50 });
      const base = path.join(h.dirs.tmp, "..", "metrics-task");
      const task = h.startRunner({
        ...q.env,
        AWS_ENDPOINT_URL_S3: s3.url,
        RUNNER_WORK_DIR: path.join(base, "work"),
        RUNNER_TMP_DIR: path.join(base, "tmp"),
        RUNNER_HEALTH_FILE: path.join(base, "health"),
        RUNNER_HEARTBEAT_SECONDS: "2",
        RUNNER_RETRY_BASE_DELAY_SECONDS: "1",
        RUNNER_MAX_RECEIVES: "2",
      });
      const { submissionId } = await q.api.submit({ pitId: PIT, source: path.join(SAMPLES_DIR, PIT, "passing") });
      const row = await q.api.waitForFinal(submissionId, 45_000);
      const record = await waitFor("the submission record", () => metricLines(task.logs, "submission", submissionId)[0]);
      await task.runner.stop();
      expect(row.status).toBe("ERROR");

      const attempts = metricLines(task.logs, "failed-attempt", submissionId);
      expect(attempts.map((a) => [a.ErrorKind, a.decision, a.receiveCount])).toEqual([
        ["transient", "retry", 1],
        ["transient", "record", 2],
      ]);
      const retries = metricLines(task.logs, "retry", submissionId);
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatchObject({ Retries: 1, delaySeconds: 1, receiveCount: 1 });
      expect(record).toMatchObject({ Outcome: "internal_error", SubmissionsErrored: 1 });
      // The queue wait ends at the last delivery, after the retry's delay.
      expect(record.QueueWait as number).toBeGreaterThanOrEqual(1000);
      for (const line of [...attempts, ...retries, record]) expect(emfProblems(line)).toEqual([]);
    } finally {
      s3.setDown(false);
    }
  }, 60_000);
});
