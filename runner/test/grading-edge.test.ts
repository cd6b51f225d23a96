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
  "edge-no-tests-recorded": {
    testCommand: "echo nothing to test",
    maxTimeoutMs: 10000,
    expectedTests: [{ suite: null, name: "add sums two numbers" }, { suite: null, name: "multiply multiplies two numbers" }],
  },
  "edge-missing-tool": { testCommand: "no-such-test-tool --run", maxTimeoutMs: 10000 },
  "edge-setup-fails": { setupCommands: ["echo preparing", "exit 4", "touch never"], testCommand: `node --test ${JUNIT} test/`, maxTimeoutMs: 10000 },
};

let h: Harness;
let runner: ReturnType<Harness["startRunner"]>;
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
  // One retry, at once: an environment failure is retried, then ends ERROR, quickly enough for a test.
  runner = h.startRunner({
    RUNNER_PITS_DIR: pitsDir,
    RUNNER_KILL_GRACE_MS: "500",
    RUNNER_CONCURRENCY: "2",
    RUNNER_MAX_RECEIVES: "2",
    RUNNER_RETRY_BASE_DELAY_SECONDS: "0",
  });
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

  it("never grades a misconfigured PIT: exit 0 without a report and no recorded tests is ERROR, internal_error", async () => {
    const row = await grade("edge-no-tests", path.join(SAMPLES_DIR, "javascript-node-dummy-dev", "passing"));
    expect(row.status).toBe("ERROR");
    expect(Number(row.score)).toBe(0);
    expect(row.feedback).toMatchObject({ outcome: "internal_error", message: expect.stringMatching(/not set up for automatic grading/) });
    const logged = runner.logs.events("not-gradable").find((l) => String(l.msg).includes("edge-no-tests"));
    expect(logged?.level).toBe(50);
  });

  it("with recorded tests, a run that writes no report scores 0: the expected tests did not run", async () => {
    const row = await grade("edge-no-tests-recorded", path.join(SAMPLES_DIR, "javascript-node-dummy-dev", "passing"));
    expect(row.status).toBe("DONE");
    expect(Number(row.score)).toBe(0);
    expect(row.feedback).toMatchObject({ outcome: "failed", message: "The expected tests did not run, so the score is 0.", summary: { total: 2, errored: 2 } });
  });

  it("ignores a report the student put in the ZIP, and says so", async () => {
    const source = path.join(scratch, "forged");
    await cp(path.join(SAMPLES_DIR, "javascript-node-dummy-dev", "failing"), source, { recursive: true });
    await mkdir(path.join(source, "reports"));
    await writeFile(path.join(source, "reports", "junit.xml"), '<testsuites><testcase name="add sums two numbers"/></testsuites>');
    const row = await grade("edge-no-tests-recorded", source);
    expect(Number(row.score)).toBe(0);
    expect(row.feedback).toMatchObject({
      outcome: "failed",
      summary: { total: 2, passed: 0 },
      ignoredFiles: [{ path: "reports/junit.xml", reason: "it stands where the test reports are written" }],
    });
  });

  it("blames the environment, never the student, for a setup step that fails without a compiler error: retried, then ERROR", async () => {
    const row = await grade("edge-setup-fails", path.join(SAMPLES_DIR, "javascript-node-dummy-dev", "passing"));
    expect(row.status).toBe("ERROR");
    expect(row.feedback).toMatchObject({ outcome: "internal_error", message: expect.stringMatching(/not a problem with your code/) });
    const attempts = runner.logs.events("attempt-failed").filter((l) => String(l.error).includes('"exit 4"'));
    expect(attempts).toHaveLength(1);
    const log = await h.readLog(row.logsS3Key!);
    expect(log).toContain("preparing");
    expect(log).not.toContain("$ touch never");
  });

  it("blames the environment for a test tool that is missing", async () => {
    const row = await grade("edge-missing-tool", path.join(SAMPLES_DIR, "javascript-node-dummy-dev", "passing"));
    expect(row.status).toBe("ERROR");
    expect(row.feedback).toMatchObject({ outcome: "internal_error" });
    expect(runner.logs.events("not-gradable").some((l) => /a tool the test command needs is missing/.test(String(l.msg)))).toBe(true);
  });
});
