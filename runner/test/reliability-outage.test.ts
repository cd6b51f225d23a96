import { stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./helpers/harness";
import {
  finalWrites,
  installFinalWriteAudit,
  isolatedQueue,
  Outage,
  PIT,
  queueDepth,
  sleep,
  waitUntil,
  writePit,
  writeSubmission,
} from "./helpers/reliability";

// Dependencies fail and come back: nothing is lost, the loop keeps turning, the last attempt ends in ERROR.
let h: Harness;
let base: string;
let source: string;
let pitsDir: string;
let s3: Outage;

beforeAll(async () => {
  h = await startHarness();
  // The test's own connections see the database go away too; an idle client's error must not crash the test.
  h.clients.pool.on("error", () => undefined);
  base = path.join(h.dirs.tmp, "..", "fixtures");
  source = await writeSubmission(path.join(base, "submission"));
  pitsDir = await writePit(path.join(base, "pits"), "sleep 0.3");
  await installFinalWriteAudit(h.clients.pool);
  s3 = await Outage.relay(h.stack.endpoint);
});
afterAll(async () => {
  await s3?.close();
  await h?.stop();
});

let tasks = 0;
async function scenario(name: string, extra: Record<string, string> = {}) {
  const q = await isolatedQueue(h, name, { visibilityTimeoutSeconds: 5, maxReceiveCount: 50 });
  tasks += 1;
  const health = path.join(base, `task-${tasks}`, "health");
  const runner = h.startRunner({
    ...q.env,
    RUNNER_WORK_DIR: path.join(base, `task-${tasks}`, "work"),
    RUNNER_TMP_DIR: path.join(base, `task-${tasks}`, "tmp"),
    RUNNER_HEALTH_FILE: health,
    RUNNER_PITS_DIR: pitsDir,
    RUNNER_CONCURRENCY: "2",
    RUNNER_HEARTBEAT_SECONDS: "2",
    RUNNER_RETRY_BASE_DELAY_SECONDS: "1",
    RUNNER_RETRY_MAX_DELAY_SECONDS: "2",
    RUNNER_MAX_RECEIVES: "30",
    ...extra,
  });
  return { ...q, ...runner, health };
}

const statuses = async (ids: string[]) => {
  const rows = await h.clients.pool.query<{ status: string }>(`SELECT status FROM submissions WHERE id = ANY($1::uuid[])`, [ids]);
  return rows.rows.map((r) => r.status);
};

describe("outages", () => {
  it("keeps the loop turning while the database is down for 10 s, then grades every submission", async () => {
    const s = await scenario("db-outage");
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) ids.push((await s.api.submit({ pitId: PIT, source })).submissionId);
    await waitUntil("a first submission graded", async () => (await statuses(ids)).includes("DONE"));

    await h.stack.stopPostgres();
    const downAt = Date.now();
    await sleep(10_000);
    const healthDuringOutage = (await stat(s.health)).mtimeMs;
    const failuresDuringOutage = s.logs.events("attempt-failed").length;
    await h.stack.startPostgres();

    const rows = await Promise.all(ids.map((id) => s.api.waitForFinal(id, 60_000)));
    await waitUntil("the queue empty", async () => (await queueDepth(h.clients.sqs, s.queueUrl)) === 0);
    await s.runner.stop();

    expect(rows.filter((r) => r.status !== "DONE")).toEqual([]);
    expect([...(await finalWrites(h.clients.pool, ids)).values()].filter((n) => n !== 1)).toEqual([]);
    expect(healthDuringOutage).toBeGreaterThan(downAt + 5000);
    expect(failuresDuringOutage).toBeGreaterThan(0);
    const failures = s.logs.events("attempt-failed");
    expect(failures.every((l) => l.kind === "transient" && typeof l.retryInSeconds === "number")).toBe(true);
    expect(failures.some((l) => /Database (claim|update) failed/.test(String(l.error)))).toBe(true);
    // Growing delays (1 s, then 2 s) allow at most ~6 attempts per message in 10 s; back-to-back retries
    // failing in milliseconds would make thousands.
    expect(failuresDuringOutage).toBeLessThan(ids.length * 12);
    expect(await queueDepth(h.clients.sqs, s.dlqUrl)).toBe(0);
  });

  it("keeps the message when even ERROR cannot be written at the last attempt, and grades it once the database is back", async () => {
    const s = await scenario("db-last-attempt", { RUNNER_MAX_RECEIVES: "1" });
    const submissionId = "3c9a51e2-0b7d-4f6e-9a41-7d2c8e5b1f03";
    const fileKey = `submissions/u-1/${submissionId}.zip`;
    await s.api.upload(fileKey, source);
    await h.clients.pool.query(`INSERT INTO submissions (id, "userId", "pitId", "fileKey") VALUES ($1, 'u-1', $2, $3)`, [submissionId, PIT, fileKey]);
    await h.stack.stopPostgres();
    await s.api.send({ submissionId, fileKey, userId: "u-1", pitId: PIT, createdAt: new Date().toISOString() });
    await waitUntil("two failed attempts", () => s.logs.events("attempt-failed").length >= 2, 20_000);
    await h.stack.startPostgres();

    const row = await s.api.waitForFinal(submissionId, 30_000);
    await s.runner.stop();
    // Every attempt was already "the last", yet none could record ERROR: the message stayed until one could grade.
    expect(row.status).toBe("DONE");
    expect(s.logs.events("received").length).toBeGreaterThanOrEqual(3);
    expect((await finalWrites(h.clients.pool, [submissionId])).get(submissionId)).toBe(1);
  });

  it("retries while S3 is unreachable and grades once it is back", async () => {
    s3.setDown(true);
    const s = await scenario("s3-outage", { AWS_ENDPOINT_URL_S3: s3.url });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await s.api.submit({ pitId: PIT, source })).submissionId);
    await waitUntil("a failed download", () => s.logs.events("attempt-failed").length >= 3);
    await sleep(2000);
    s3.setDown(false);

    const rows = await Promise.all(ids.map((id) => s.api.waitForFinal(id, 30_000)));
    await s.runner.stop();
    expect(rows.map((r) => r.status)).toEqual(["DONE", "DONE", "DONE"]);
    expect(rows.every((r) => r.logsS3Key !== null)).toBe(true);
    expect(s.logs.events("attempt-failed").some((l) => /Could not download/.test(String(l.error)))).toBe(true);
    expect(s.logs.events("recorded").length).toBe(3);
  });

  it("records ERROR (internal_error) at the last attempt when the outage outlives the retries", async () => {
    s3.setDown(true);
    const s = await scenario("s3-gone", { AWS_ENDPOINT_URL_S3: s3.url, RUNNER_MAX_RECEIVES: "2" });
    const { submissionId } = await s.api.submit({ pitId: PIT, source });
    const row = await s.api.waitForFinal(submissionId, 30_000);
    await waitUntil("the queue empty", async () => (await queueDepth(h.clients.sqs, s.queueUrl)) === 0);
    await s.runner.stop();
    s3.setDown(false);

    expect(row.status).toBe("ERROR");
    expect(row.feedback).toMatchObject({ outcome: "internal_error" });
    expect(String(row.feedback?.message)).toMatch(/could not reach its storage/);
    expect(s.logs.events("received").map((l) => l.receiveCount)).toEqual([1, 2]);
    expect(s.logs.events("attempt-failed")).toHaveLength(1);
    expect(await queueDepth(h.clients.sqs, s.dlqUrl)).toBe(0);
  });

  it("records ERROR on the first failure in RUNNER_FAILURE_MODE=error", async () => {
    s3.setDown(true);
    const s = await scenario("s3-error-mode", { AWS_ENDPOINT_URL_S3: s3.url, RUNNER_FAILURE_MODE: "error" });
    const { submissionId } = await s.api.submit({ pitId: PIT, source });
    const row = await s.api.waitForFinal(submissionId, 30_000);
    await waitUntil("the queue empty", async () => (await queueDepth(h.clients.sqs, s.queueUrl)) === 0);
    await s.runner.stop();
    s3.setDown(false);

    expect(row.status).toBe("ERROR");
    expect(s.logs.events("received").map((l) => l.receiveCount)).toEqual([1]);
    expect(s.logs.events("attempt-failed")).toHaveLength(0);
  });
});
