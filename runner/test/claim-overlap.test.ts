import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLES_DIR, startHarness, type Harness, type LogSink } from "./helpers/harness";

// The pipeline downloads the ZIP while it claims the row; these check that a claim that is not ours
// leaves nothing behind and changes nothing.
const NODE_PIT = "javascript-node-dummy-dev";
const passing = path.join(SAMPLES_DIR, NODE_PIT, "passing");

let h: Harness;
let logs: LogSink;

beforeAll(async () => {
  h = await startHarness();
  ({ logs } = h.startRunner({ RUNNER_CONCURRENCY: "2" }));
});
afterAll(() => h?.stop());

const handled = async (submissionId: string, event: string) => {
  const deadline = Date.now() + 20_000;
  while (!logs.lines.some((l) => l.submissionId === submissionId && l.event === event)) {
    if (Date.now() > deadline) throw new Error(`no ${event} for ${submissionId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe("claiming while downloading", () => {
  it("a redelivered message for a final row leaves the row as it was and no files behind", async () => {
    const { submissionId, fileKey } = await h.api.submit({ pitId: NODE_PIT, source: passing });
    const first = await h.api.waitForFinal(submissionId);
    await handled(submissionId, "deleted");

    await h.api.send({ submissionId, fileKey, userId: "u-local", pitId: NODE_PIT, createdAt: new Date().toISOString() });
    await handled(submissionId, "skipped");
    const again = await h.api.row(submissionId);
    expect(again?.updatedAt.getTime()).toBe(first.updatedAt.getTime());
    expect(again?.score).toBe(first.score);
    expect(existsSync(path.join(h.dirs.tmp, submissionId))).toBe(false);
    expect(existsSync(path.join(h.dirs.work, submissionId))).toBe(false);
  });

  it("a message without a row downloads nothing that stays, and records nothing", async () => {
    const submissionId = "7d7f4c1e-5b0a-4f55-9d43-8a1f9c0b2e11";
    const fileKey = `submissions/u-local/${submissionId}.zip`;
    await h.api.upload(fileKey, passing);
    await h.api.send({ submissionId, fileKey, userId: "u-local", pitId: NODE_PIT, createdAt: new Date().toISOString() });
    await handled(submissionId, "skipped");
    expect(await h.api.row(submissionId)).toBeUndefined();
    expect(logs.lines.some((l) => l.submissionId === submissionId && l.event === "missing-row")).toBe(true);
    const leftovers = existsSync(h.dirs.tmp) ? await readdir(h.dirs.tmp) : [];
    expect(leftovers).not.toContain(submissionId);
  });
});
