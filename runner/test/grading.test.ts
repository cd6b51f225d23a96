import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLES_DIR, startHarness, type Harness } from "./helpers/harness";

/**
 * Every sample PIT and sample, with the grade runner/PIT-CONFIGS.md documents for it. The sample PITs have recorded
 * expected tests, so a build failure shows each of them as not run.
 */
const CASES = [
  { pit: "javascript-node-dummy-dev", sample: "passing", outcome: "passed", score: 100, summary: [3, 3, 0, 0, 0] },
  { pit: "javascript-node-dummy-dev", sample: "partial", outcome: "failed", score: 66.67, summary: [3, 2, 1, 0, 0] },
  { pit: "javascript-node-dummy-dev", sample: "failing", outcome: "failed", score: 0, summary: [3, 0, 3, 0, 0] },
  { pit: "javascript-node-dummy-dev", sample: "syntax-error", outcome: "compile_error", score: 0, summary: [3, 0, 0, 3, 0] },
  { pit: "python-pytest-dummy-dev", sample: "passing", outcome: "passed", score: 100, summary: [4, 4, 0, 0, 0] },
  { pit: "python-pytest-dummy-dev", sample: "partial", outcome: "failed", score: 50, summary: [4, 2, 2, 0, 0] },
  { pit: "python-pytest-dummy-dev", sample: "syntax-error", outcome: "compile_error", score: 0, summary: [4, 0, 0, 4, 0] },
  { pit: "java-maven-dummy-dev", sample: "passing", outcome: "passed", score: 100, summary: [3, 3, 0, 0, 0] },
  { pit: "java-maven-dummy-dev", sample: "partial", outcome: "failed", score: 33.33, summary: [3, 1, 2, 0, 0] },
  { pit: "java-maven-dummy-dev", sample: "syntax-error", outcome: "compile_error", score: 0, summary: [3, 0, 0, 3, 0] },
  // System.exit in the solution: refused by the code policy before any grade (tamper-java.test.ts shows the runtime
  // guard alone holding when a PIT allows it).
  { pit: "java-maven-dummy-dev", sample: "system-exit", status: "ERROR", outcome: "invalid_submission", score: 0, summary: [0, 0, 0, 0, 0] },
  // The shipped plain-pom PIT: no Surefire settings, no guard of its own; the runner makes it fast and exit-safe.
  { pit: "java-maven-plain-dev", sample: "passing", outcome: "passed", score: 100, summary: [3, 3, 0, 0, 0] },
  { pit: "java-maven-plain-dev", sample: "partial", outcome: "failed", score: 33.33, summary: [3, 1, 2, 0, 0] },
] as const;

let h: Harness;
const rows = new Map<string, Awaited<ReturnType<Harness["api"]["waitForFinal"]>>>();

beforeAll(async () => {
  h = await startHarness();
  h.startRunner({ RUNNER_CONCURRENCY: "2" });
  // Submitted together so the Maven runs overlap; each test below then only reads its row.
  const submitted = await Promise.all(
    CASES.map(async (c) => ({ c, ...(await h.api.submit({ pitId: c.pit, source: path.join(SAMPLES_DIR, c.pit, c.sample) })) })),
  );
  await Promise.all(
    submitted.map(async ({ c, submissionId }) => rows.set(`${c.pit}/${c.sample}`, await h.api.waitForFinal(submissionId, 170_000))),
  );
}, 180_000);
afterAll(() => h?.stop());

describe.each(CASES)("$pit / $sample", (c) => {
  const status = "status" in c ? c.status : "DONE";
  it(`is ${status}, ${c.outcome}, score ${c.score}`, () => {
    const row = rows.get(`${c.pit}/${c.sample}`);
    expect(row?.status).toBe(status);
    expect(Number(row?.score)).toBe(c.score);
    const [total, passed, failed, errored, skipped] = c.summary;
    expect(row?.feedback).toMatchObject({ outcome: c.outcome, pitId: c.pit, summary: { total, passed, failed, errored, skipped } });
    const feedback = JSON.stringify(row?.feedback);
    expect(feedback).not.toContain(h.dirs.work);
    expect(feedback).not.toContain("\\u0000");
  });
});

describe("feedback a student can use", () => {
  const feedbackOf = (key: string) => rows.get(key)?.feedback as Record<string, unknown> & { tests: Record<string, unknown>[] };

  it("says in one sentence how many tests passed", () => {
    expect(feedbackOf("javascript-node-dummy-dev/partial").message).toBe("2 of 3 tests passed.");
    expect(feedbackOf("java-maven-dummy-dev/passing").message).toBe("All 3 tests passed.");
  });

  it("gives each failing test its assertion message", () => {
    const java = feedbackOf("java-maven-dummy-dev/partial").tests;
    expect(java.find((t) => t.name === "withdrawDecreasesBalance")).toMatchObject({
      suite: "dev.dummy.BankAccountTest",
      status: "failed",
      message: "balance after depositing 50 and withdrawing 20 ==> expected: <30> but was: <70>",
    });
    expect(java.find((t) => t.name === "depositIncreasesBalance")).toMatchObject({ status: "passed", message: null });
    const node = feedbackOf("javascript-node-dummy-dev/partial").tests;
    expect(node.find((t) => t.name === "multiply multiplies two numbers")).toMatchObject({ status: "failed", message: "Expected values to be strictly equal:\n\n13 !== 42" });
  });

  it("refuses a System.exit in the student's code by name, before it can touch a grade", () => {
    expect(feedbackOf("java-maven-dummy-dev/system-exit").message).toMatch(/BankAccount\.java uses System\.exit, which this exercise does not allow/);
  });

  it("shows the compiler's first error, relative to the submission", () => {
    const java = feedbackOf("java-maven-dummy-dev/syntax-error");
    expect(java.compileErrors).toEqual(["src/main/java/dev/dummy/BankAccount.java:8:26: ';' expected"]);
    expect(java.message).toBe("Your code did not build, so no test ran: src/main/java/dev/dummy/BankAccount.java:8:26: ';' expected");
    const python = feedbackOf("python-pytest-dummy-dev/syntax-error");
    expect(python.compileErrors).toEqual(["shapes.py:2: SyntaxError: expected ':'"]);
    const node = feedbackOf("javascript-node-dummy-dev/syntax-error");
    expect(node.compileErrors).toEqual(["calculator.js:5: SyntaxError: Unexpected identifier 'multiply'"]);
  });
});
