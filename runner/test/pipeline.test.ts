import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLES_DIR, startHarness, type Harness, type LogSink } from "./helpers/harness";

const NODE_PIT = "javascript-node-dummy-dev";
const sample = (name: string) => path.join(SAMPLES_DIR, NODE_PIT, name);

let h: Harness;
let logs: LogSink;

beforeAll(async () => {
  h = await startHarness();
  ({ logs } = h.startRunner({ RUNNER_CONCURRENCY: "2" }));
});
afterAll(() => h?.stop());

describe("a submission message becomes a graded row", () => {
  it("grades a passing submission DONE with score 100 and stores its log", async () => {
    const { submissionId } = await h.api.submit({ pitId: NODE_PIT, source: sample("passing") });
    const row = await h.api.waitForFinal(submissionId);
    expect(row.status).toBe("DONE");
    expect(Number(row.score)).toBe(100);
    expect(row.feedback).toMatchObject({ outcome: "passed", pitId: NODE_PIT, exitCode: 0, timedOut: false });
    expect(row.logsS3Key).toBe(`logs/${submissionId}/run.log`);
    const log = await h.readLog(row.logsS3Key!);
    expect(log).toContain(`submission: ${submissionId}`);
    expect(log).toContain("multiply multiplies two numbers");
  });

  it("grades a failing submission DONE with score 0", async () => {
    const { submissionId } = await h.api.submit({ pitId: NODE_PIT, source: sample("failing") });
    const row = await h.api.waitForFinal(submissionId);
    expect(row.status).toBe("DONE");
    expect(Number(row.score)).toBe(0);
    expect(row.feedback).toMatchObject({ outcome: "failed" });
  });

  it("ends an unknown PIT in ERROR with a message a student can read", async () => {
    const { submissionId } = await h.api.submit({ pitId: "no-such-pit-v1", source: sample("passing") });
    const row = await h.api.waitForFinal(submissionId);
    expect(row.status).toBe("ERROR");
    expect(row.feedback).toMatchObject({ outcome: "internal_error" });
    expect(String(row.feedback?.message)).toMatch(/not set up for automatic grading/);
    expect(String(row.feedback?.message)).not.toContain("/");
  });

  it("ends a corrupt ZIP in ERROR as an invalid submission", async () => {
    const corrupt = path.join(h.dirs.tmp, "..", "corrupt.zip");
    await writeFile(corrupt, "this is not a zip file at all");
    const { submissionId } = await h.api.submit({ pitId: NODE_PIT, source: corrupt });
    const row = await h.api.waitForFinal(submissionId);
    expect(row.status).toBe("ERROR");
    expect(row.feedback).toMatchObject({ outcome: "invalid_submission" });
  });

  it("ends a missing S3 object in ERROR", async () => {
    const submissionId = "5a1d9c43-1f0e-4b8e-9a57-0c7f2d4b1e01";
    const fileKey = `submissions/u-1/${submissionId}.zip`;
    await h.clients.pool.query(`INSERT INTO submissions (id, "userId", "pitId", "fileKey") VALUES ($1, 'u-1', $2, $3)`, [
      submissionId,
      NODE_PIT,
      fileKey,
    ]);
    await h.api.send({ submissionId, fileKey, userId: "u-1", pitId: NODE_PIT, createdAt: new Date().toISOString() });
    const row = await h.api.waitForFinal(submissionId);
    expect(row.status).toBe("ERROR");
    expect(String(row.feedback?.message)).toMatch(/could not be found/);
    const failed = logs.lines.find((l) => l.submissionId === submissionId && l.event === "stage-failed");
    expect(JSON.stringify(failed)).toContain(fileKey);
  });

  it("logs a malformed message, deletes it, and goes on to grade the next one", async () => {
    await h.api.send("{ this is not json");
    await h.api.send({ submissionId: "not-a-uuid", pitId: NODE_PIT });
    const { submissionId } = await h.api.submit({ pitId: NODE_PIT, source: sample("passing") });
    const row = await h.api.waitForFinal(submissionId);
    expect(row.status).toBe("DONE");
    const poison = logs.events("poison");
    expect(poison.length).toBeGreaterThanOrEqual(2);
    expect(poison.map((l) => l.reason)).toContain("body is not JSON");
    expect(logs.events("deleted").length).toBeGreaterThanOrEqual(3);
  });

  it("logs every stage of a submission with its submissionId", async () => {
    const { submissionId } = await h.api.submit({ pitId: NODE_PIT, source: sample("passing") });
    await h.api.waitForFinal(submissionId);
    await new Promise((r) => setTimeout(r, 200));
    const mine = logs.lines.filter((l) => l.submissionId === submissionId);
    const events = mine.map((l) => (l.event === "stage" ? `stage:${String(l.stage)}` : l.event));
    for (const e of ["received", "stage:claim", "stage:download", "stage:extract", "stage:run", "stage:upload", "stage:record", "recorded", "deleted"]) {
      expect(events).toContain(e);
    }
  });
});
