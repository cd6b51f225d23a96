import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../execute/run-command";
import { gradeReports, type GradeInput } from "./report-grader";

const WS = "/tmp/fx/py";
const report = (name: string) => ({ path: `reports/${name}`, content: readFileSync(path.join(__dirname, "fixtures", name), "utf8") });
const run = (over: Partial<RunResult> = {}): RunResult => ({
  exitCode: 1, signal: null, timedOut: false, aborted: false, durationMs: 1234, output: "", outputBytes: 0, ...over,
});
const grade = (over: Partial<GradeInput>) =>
  gradeReports({ run: run(), reports: { files: [], skipped: [] }, workspace: WS, pitId: "p", ...over });

describe("gradeReports", () => {
  it("scores 100 * passed / (total - skipped) and sums it up in one sentence", () => {
    const g = grade({ reports: { files: [report("pytest-mixed.xml")], skipped: [] } });
    expect(g.status).toBe("DONE");
    expect(g.score).toBe(40);
    expect(g.feedback).toMatchObject({
      outcome: "failed",
      message: "2 of 5 tests passed (1 skipped).",
      summary: { total: 6, passed: 2, failed: 2, errored: 1, skipped: 1 },
      exitCode: 1,
      timedOut: false,
      durationMs: 1234,
      pitId: "p",
    });
  });

  it("strips the workspace path from messages and names", () => {
    const g = grade({ reports: { files: [report("pytest-mixed.xml")], skipped: [] } });
    const skipped = g.feedback.tests.find((t) => t.name === "test_skipped");
    expect(skipped?.message).toBe("not ready");
    expect(JSON.stringify(g.feedback)).not.toContain(WS);
  });

  it("caps long messages and removes NUL bytes", () => {
    const xml = `<testsuite><testcase name="a\u0000b"><failure message="${"x".repeat(5000)}"/></testcase></testsuite>`;
    const g = grade({ reports: { files: [{ path: "r.xml", content: xml }], skipped: [] } });
    expect(g.feedback.tests[0]?.name).toBe("ab");
    expect(g.feedback.tests[0]?.message?.length).toBeLessThanOrEqual(1000);
  });

  it("calls a build failure with no report a compile error and quotes the compiler", () => {
    const output = `[ERROR] ${WS}/src/A.java:[3,1] class expected`;
    const g = grade({ run: run({ output }) });
    expect(g.score).toBe(0);
    expect(g.feedback).toMatchObject({
      outcome: "compile_error",
      message: "Your code did not build, so no test ran: src/A.java:3:1: class expected",
      compileErrors: ["src/A.java:3:1: class expected"],
    });
  });

  it("calls a report whose every test file failed to load a compile error", () => {
    const g = grade({ reports: { files: [report("pytest-collection-error.xml")], skipped: [] } });
    expect(g.feedback.outcome).toBe("compile_error");
    expect(g.feedback.summary).toMatchObject({ total: 1, errored: 1 });
  });

  it("never guesses: exit 0 without a report is no tests found, score 0", () => {
    const g = grade({ run: run({ exitCode: 0 }) });
    expect(g.score).toBe(0);
    expect(g.feedback.outcome).toBe("failed");
    expect(g.feedback.message).toMatch(/^No test results were found/);
  });

  it("calls an empty report (pytest's exit 5) no tests found, not a build failure", () => {
    const empty = { path: "reports/junit.xml", content: '<testsuites><testsuite name="pytest" tests="0"/></testsuites>' };
    const g = grade({ run: run({ exitCode: 5 }), reports: { files: [empty], skipped: [] } });
    expect(g.feedback).toMatchObject({ outcome: "failed", message: "No test results were found: the test report lists no test, so the score is 0." });
  });

  it("counts the tests that finished before a timeout", () => {
    const g = grade({ run: run({ exitCode: null, timedOut: true }), reports: { files: [report("surefire-mixed.xml")], skipped: [] } });
    expect(g.feedback.outcome).toBe("timeout");
    expect(g.score).toBe(40);
    expect(g.feedback.message).toBe("The tests did not finish in time. 2 of 5 tests passed (1 skipped) before it was stopped.");
    const none = grade({ run: run({ exitCode: null, timedOut: true }) });
    expect(none.feedback).toMatchObject({ outcome: "timeout", message: "The tests did not finish in time. No test had finished." });
  });

  it("stops at a failed setup command with a clear outcome", () => {
    const g = grade({ run: run({ exitCode: 2 }), setupFailure: { command: "pip install -r requirements.txt", exitCode: 2 } });
    expect(g.score).toBe(0);
    expect(g.feedback.outcome).toBe("compile_error");
    expect(g.feedback.message).toBe('The preparation step "pip install -r requirements.txt" failed (exit code 2), so no test ran.');
  });

  it("applies the PIT's weights and maximum score", () => {
    const files = [report("surefire-mixed.xml")];
    const g = grade({ reports: { files, skipped: [] }, grading: { maxScore: 20, weights: { "fx.MixedTest.passes": 3, fails: 0 } } });
    // counted weights: errors 1, passes 3, fails 0, grüßeÄndern 1, innerPasses 1 = 6; passed: 3 + 1 = 4.
    expect(g.score).toBe(13.33);
  });

  it("reports unparseable files as problems, not as a crash", () => {
    const g = grade({ run: run({ exitCode: 0 }), reports: { files: [{ path: "reports/bad.xml", content: "<oops" }], skipped: [] } });
    expect(g.problems[0]).toMatch(/^reports\/bad.xml: not well-formed XML/);
    expect(g.feedback.outcome).toBe("failed");
  });
});
