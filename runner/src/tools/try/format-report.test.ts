import { describe, expect, it } from "vitest";
import type { RunResult } from "../../execute/run-command";
import type { GradeResult } from "../../grading/feedback";
import { formatTestTable, formatTryReport } from "./format-report";

const run: RunResult = {
  exitCode: 1,
  signal: null,
  timedOut: false,
  aborted: false,
  durationMs: 812,
  output: Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join("\n"),
  outputBytes: 400,
};

const grade: GradeResult = {
  status: "DONE",
  score: 50,
  feedback: {
    outcome: "failed",
    message: "1 of 2 tests passed.",
    summary: { total: 2, passed: 1, failed: 1, errored: 0, skipped: 0 },
    tests: [
      { name: "adds", suite: "CalcTest", status: "passed", durationMs: 3, message: null },
      { name: "divides", suite: null, status: "failed", durationMs: null, message: "expected 2\n but was 3" },
    ],
    exitCode: 1,
    timedOut: false,
    durationMs: 900,
    pitId: "java-maven-calc-v1",
  },
};

describe("formatTestTable", () => {
  it("aligns one row per test with its status, name, time and first message line", () => {
    expect(formatTestTable(grade.feedback.tests)).toEqual([
      "STATUS  TEST             TIME  MESSAGE",
      "------  ---------------  ----  --------------------",
      "passed  CalcTest > adds  3 ms",
      "failed  divides                expected 2 but was 3",
    ]);
  });

  it("says so when there are no per-test results", () => {
    expect(formatTestTable([])).toEqual([expect.stringMatching(/^No per-test results/)]);
  });
});

describe("formatTryReport", () => {
  it("shows score, outcome, the table and the output's tail when not everything passed", () => {
    const text = formatTryReport({ graded: true, grade, run, workspace: "/w" }, { showOutput: false }).join("\n");
    expect(text).toContain("Outcome:  failed");
    expect(text).toContain("Score:    50");
    expect(text).toContain("Tests:    2 total, 1 passed, 1 failed, 0 errored, 0 skipped");
    expect(text).toContain("Run:      exit code 1, 812 ms");
    expect(text).toContain("last 40 lines");
    expect(text).toContain("line 50");
    expect(text).not.toContain("line 10\n");
  });

  it("leaves the output out of a passing run unless asked", () => {
    const passed: GradeResult = { ...grade, score: 100, feedback: { ...grade.feedback, outcome: "passed" } };
    const quiet = formatTryReport({ graded: true, grade: passed, run, workspace: "/w" }, { showOutput: false }).join("\n");
    expect(quiet).not.toContain("line 50");
    const loud = formatTryReport({ graded: true, grade: passed, run, workspace: "/w" }, { showOutput: true }).join("\n");
    expect(loud).toContain("line 1\nline 2");
  });
});
