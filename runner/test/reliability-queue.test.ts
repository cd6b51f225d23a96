import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubmissionRepository } from "../src/results/submission-repository";
import { startHarness, type Harness, type LogSink } from "./helpers/harness";
import {
  finalWrites,
  installFinalWriteAudit,
  isolatedQueue,
  PIT,
  queueDepth,
  waitUntil,
  writePit,
  writeSubmission,
} from "./helpers/reliability";

// At-least-once delivery: duplicates, races and bad messages end in exactly one final write each.
let h: Harness;
let base: string;
let source: string;
const pits = { fast: "", oneSecond: "" };

beforeAll(async () => {
  h = await startHarness();
  base = path.join(h.dirs.tmp, "..", "fixtures");
  source = await writeSubmission(path.join(base, "submission"));
  pits.fast = await writePit(path.join(base, "pits-fast"), "true");
  pits.oneSecond = await writePit(path.join(base, "pits-slow"), "sleep 1");
  await installFinalWriteAudit(h.clients.pool);
});
afterAll(() => h?.stop());

let tasks = 0;
/** A queue of its own for each test, and a runner env on it; each runner has its own disk, as an ECS task does. */
async function scenario(name: string) {
  const q = await isolatedQueue(h, name, { visibilityTimeoutSeconds: 5, maxReceiveCount: 20 });
  const start = (pitsDir: string, extra: Record<string, string> = {}) => {
    tasks += 1;
    return h.startRunner({
      ...q.env,
      RUNNER_WORK_DIR: path.join(base, `task-${tasks}`, "work"),
      RUNNER_TMP_DIR: path.join(base, `task-${tasks}`, "tmp"),
      RUNNER_PITS_DIR: pitsDir,
      RUNNER_CONCURRENCY: "2",
      RUNNER_HEARTBEAT_SECONDS: "2",
      ...extra,
    });
  };
  const resend = (submissionId: string, fileKey: string) =>
    q.api.send({ submissionId, fileKey, userId: "u-local", pitId: PIT, createdAt: new Date().toISOString() });
  return { ...q, start, resend };
}

const linesOf = (logs: LogSink[], submissionId: string) => logs.flatMap((l) => l.lines).filter((l) => l.submissionId === submissionId);
const count = (lines: Record<string, unknown>[], event: string, stage?: string) =>
  lines.filter((l) => l.event === event && (stage === undefined || l.stage === stage)).length;

describe("idempotency under at-least-once delivery", () => {
  it("two runners share 100 messages and every submission gets exactly one final write", async () => {
    const s = await scenario("share-100");
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push((await s.api.submit({ pitId: PIT, source })).submissionId);
    const a = s.start(pits.fast);
    const b = s.start(pits.fast);
    const rows = await Promise.all(ids.map((id) => s.api.waitForFinal(id, 120_000)));
    await waitUntil("all messages deleted", async () => (await queueDepth(h.clients.sqs, s.queueUrl)) === 0);
    await Promise.all([a.runner.stop(), b.runner.stop()]);

    expect(rows.filter((r) => r.status !== "DONE" || Number(r.score) !== 100)).toEqual([]);
    const writes = await finalWrites(h.clients.pool, ids);
    expect([...writes.values()].filter((n) => n !== 1)).toEqual([]);
    const recordedBy = [a, b].map((r) => r.logs.events("recorded").length);
    expect(recordedBy[0]! + recordedBy[1]!).toBe(100);
    expect(Math.min(...recordedBy)).toBeGreaterThan(0);
  });

  it("two tasks grading the same submission at once end with one final write, never an overwrite", async () => {
    const s = await scenario("race");
    // One slot each, so the second copy goes to the other task while the first is being graded.
    const a = s.start(pits.oneSecond, { RUNNER_CONCURRENCY: "1" });
    const b = s.start(pits.oneSecond, { RUNNER_CONCURRENCY: "1" });
    const { submissionId, fileKey } = await s.api.submit({ pitId: PIT, source });
    await s.resend(submissionId, fileKey);
    await s.api.waitForFinal(submissionId);
    await waitUntil("both copies deleted", () => count(linesOf([a.logs, b.logs], submissionId), "deleted") === 2);
    await Promise.all([a.runner.stop(), b.runner.stop()]);

    const mine = linesOf([a.logs, b.logs], submissionId);
    expect(count(mine, "stage", "run")).toBe(2);
    expect(count(mine, "recorded")).toBe(1);
    expect(count(mine, "lost-race")).toBe(1);
    expect((await finalWrites(h.clients.pool, [submissionId])).get(submissionId)).toBe(1);
  });

  it("grades two copies of one message in the same task one after the other, once", async () => {
    const s = await scenario("same-task");
    const r = s.start(pits.oneSecond);
    const { submissionId, fileKey } = await s.api.submit({ pitId: PIT, source });
    await s.resend(submissionId, fileKey);
    expect((await s.api.waitForFinal(submissionId)).status).toBe("DONE");
    await waitUntil("both copies deleted", () => count(linesOf([r.logs], submissionId), "deleted") === 2);
    await r.runner.stop();

    const mine = linesOf([r.logs], submissionId);
    expect(count(mine, "duplicate-in-flight")).toBe(1);
    expect(count(mine, "stage", "run")).toBe(1);
    expect(mine.filter((l) => l.event === "skipped")).toEqual([expect.objectContaining({ reason: "already-final" })]);
    expect((await finalWrites(h.clients.pool, [submissionId])).get(submissionId)).toBe(1);
  });

  it("deletes a redelivered message for a final row without grading it again", async () => {
    const s = await scenario("redelivery");
    const r = s.start(pits.fast);
    const { submissionId, fileKey } = await s.api.submit({ pitId: PIT, source });
    const first = await s.api.waitForFinal(submissionId);
    await s.resend(submissionId, fileKey);
    await waitUntil("the copy deleted", () => count(linesOf([r.logs], submissionId), "deleted") === 2);
    await r.runner.stop();

    const mine = linesOf([r.logs], submissionId);
    expect(mine.filter((l) => l.event === "skipped")).toEqual([expect.objectContaining({ reason: "already-final" })]);
    expect(count(mine, "stage", "run")).toBe(1);
    expect((await s.api.row(submissionId))?.updatedAt).toEqual(first.updatedAt);
    expect((await finalWrites(h.clients.pool, [submissionId])).get(submissionId)).toBe(1);
  });

  it("lets exactly one of several concurrent final writes win", async () => {
    const repo = new SubmissionRepository(h.clients.pool);
    const submissionId = "8f0a4a53-54a3-4b8b-9d86-3b1f8f1c2a77";
    await h.clients.pool.query(`INSERT INTO submissions (id, "userId", "pitId", "fileKey") VALUES ($1, 'u', $2, 'k')`, [submissionId, PIT]);
    expect(await repo.claim(submissionId)).toBe("claimed");
    const summary = { total: 0, passed: 0, failed: 0, errored: 0, skipped: 0 };
    const result = (score: number) => ({
      status: "DONE" as const,
      score,
      logsS3Key: null,
      feedback: { outcome: "passed" as const, message: "", summary, tests: [], exitCode: 0, timedOut: false, durationMs: 1, pitId: PIT },
    });
    const wins = await Promise.all([1, 2, 3, 4].map((score) => repo.updateSubmissionResult(submissionId, result(score))));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(Number((await h.api.row(submissionId))?.score)).toBe(wins.indexOf(true) + 1);
    expect(await repo.claim(submissionId)).toBe("final");
    expect((await finalWrites(h.clients.pool, [submissionId])).get(submissionId)).toBe(1);
  });
});

describe("poison messages", () => {
  it("are logged and removed without blocking the submissions behind them", async () => {
    const s = await scenario("poison");
    const r = s.start(pits.fast, { RUNNER_CONCURRENCY: "1" });
    const named = "0d6f3c51-7a4e-4f3b-8c1a-6e2b9d0a4c11";
    await h.clients.pool.query(`INSERT INTO submissions (id, "userId", "pitId", "fileKey") VALUES ($1, 'u', $2, 'k')`, [named, PIT]);
    await s.api.send("definitely not json");
    await s.api.send({ submissionId: named, pitId: PIT });
    const { submissionId } = await s.api.submit({ pitId: PIT, source });

    expect((await s.api.waitForFinal(submissionId)).status).toBe("DONE");
    const poisoned = await s.api.waitForFinal(named);
    await waitUntil("both poison messages handled", () => r.logs.events("poison").length === 2);
    await waitUntil("the queue empty", async () => (await queueDepth(h.clients.sqs, s.queueUrl)) === 0);
    await r.runner.stop();
    expect(poisoned.status).toBe("ERROR");
    expect(poisoned.feedback).toMatchObject({ outcome: "internal_error" });
    expect(r.logs.events("received").every((l) => l.receiveCount === 1)).toBe(true);
    expect(await queueDepth(h.clients.sqs, s.dlqUrl)).toBe(0);
  });
});
