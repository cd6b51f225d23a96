import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNNER_DIR, SAMPLES_DIR, startHarness, type Harness } from "./helpers/harness";

/** Edge cases of grading, each a small PIT written here around the Node sample's real tests. */
const JUNIT = "--test-reporter=junit --test-reporter-destination=reports/junit.xml";
const PITS: Record<string, object> = {
  "edge-timeout": {
    setupCommands: ["mkdir -p reports"],
    // The fast suite writes its report, then a hanging step is killed at the limit.
    testCommand: `node --test ${JUNIT} test/; sleep 30`,
    maxTimeoutMs: 4000,
  },
  "edge-no-tests": { testCommand: "echo nothing to test", maxTimeoutMs: 10000 },
  "edge-setup-fails": { setupCommands: ["echo preparing", "exit 4", "touch never"], testCommand: `node --test ${JUNIT} test/`, maxTimeoutMs: 10000 },
};

let h: Harness;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "grading-edge-"));
  const pitsDir = path.join(scratch, "pits");
  for (const [pitId, config] of Object.entries(PITS)) {
    await mkdir(path.join(pitsDir, pitId), { recursive: true });
    await writeFile(path.join(pitsDir, `${pitId}.json`), JSON.stringify({ language: "javascript", buildTool: "node", ...config }));
    await cp(path.join(RUNNER_DIR, "pits", "javascript-node-dummy-dev", "test"), path.join(pitsDir, pitId, "test"), { recursive: true });
  }
  h = await startHarness();
  h.startRunner({ RUNNER_PITS_DIR: pitsDir, RUNNER_KILL_GRACE_MS: "500", RUNNER_CONCURRENCY: "2" });
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await rm(scratch, { recursive: true, force: true });
});

const grade = async (pitId: string, source: string) => {
  const { submissionId } = await h.api.submit({ pitId, source });
  return h.api.waitForFinal(submissionId, 60_000);
};

describe("grading edge cases through the whole runner", () => {
  it("counts the tests whose report was written before the timeout", async () => {
    const row = await grade("edge-timeout", path.join(SAMPLES_DIR, "javascript-node-dummy-dev", "partial"));
    expect(row.status).toBe("DONE");
    expect(Number(row.score)).toBe(66.67);
    expect(row.feedback).toMatchObject({
      outcome: "timeout",
      timedOut: true,
      summary: { total: 3, passed: 2, failed: 1 },
      message: "The tests did not finish in time. 2 of 3 tests passed before it was stopped.",
    });
  });

  it("never guesses: a run without a report scores 0 and says no tests were found", async () => {
    const row = await grade("edge-no-tests", path.join(SAMPLES_DIR, "javascript-node-dummy-dev", "passing"));
    expect(row.status).toBe("DONE");
    expect(Number(row.score)).toBe(0);
    expect(row.feedback).toMatchObject({ outcome: "failed", exitCode: 0, summary: { total: 0 } });
    expect(String(row.feedback?.message)).toMatch(/^No test results were found/);
  });

  it("ignores a report the student put in the ZIP", async () => {
    const source = path.join(scratch, "forged");
    await cp(path.join(SAMPLES_DIR, "javascript-node-dummy-dev", "failing"), source, { recursive: true });
    await mkdir(path.join(source, "reports"));
    await writeFile(path.join(source, "reports", "junit.xml"), '<testsuites><testcase name="forged"/></testsuites>');
    const row = await grade("edge-no-tests", source);
    expect(Number(row.score)).toBe(0);
    expect(row.feedback).toMatchObject({ outcome: "failed", summary: { total: 0 } });
  });

  it("stops at a failing setup command with a clear outcome", async () => {
    const row = await grade("edge-setup-fails", path.join(SAMPLES_DIR, "javascript-node-dummy-dev", "passing"));
    expect(row.status).toBe("DONE");
    expect(Number(row.score)).toBe(0);
    expect(row.feedback).toMatchObject({
      outcome: "compile_error",
      message: 'The preparation step "exit 4" failed (exit code 4), so no test ran.',
    });
    const log = await h.readLog(row.logsS3Key!);
    expect(log).toContain("preparing");
    expect(log).not.toContain("$ touch never");
  });
});
