import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../execute/run-command";
import { EnvironmentError, PitConfigError, ReportMismatchError } from "../errors/runner-error";
import { DID_NOT_RUN, type TestExpectation } from "./counted-tests";
import { gradeReports, type GradeInput } from "./report-grader";

const WS = "/tmp/fx/py";
const report = (name: string) => ({ path: `reports/${name}`, content: readFileSync(path.join(__dirname, "fixtures", name), "utf8") });
const run = (over: Partial<RunResult> = {}): RunResult => ({
  exitCode: 1, signal: null, timedOut: false, aborted: false, durationMs: 1234, output: "", outputBytes: 0, ...over,
});
const ALL_COUNT: TestExpectation = { isTemplateTest: () => true };
const grade = (over: Partial<GradeInput>) =>
  gradeReports({
    run: run(),
    reports: { files: [], skipped: [] },
    expectation: ALL_COUNT,
    compiled: { student: new Set(["src/A.java", "calc.py", "src/main/java/dev/bank/Account.java"]), template: new Set(["src/test/java/dev/bank/AccountTest.java"]) },
    workspace: WS,
    pitId: "p",
    ...over,
  });
const surefire = { files: [report("surefire-mixed.xml")], skipped: [] };
const recorded = (expected: [string | null, string][], disabled: [string | null, string][] = []): TestExpectation => ({
  expected: expected.map(([suite, name]) => ({ suite, name })),
  disabled: disabled.map(([suite, name]) => ({ suite, name })),
  isTemplateTest: () => false,
});

describe("gradeReports", () => {
  it("scores 100 * passed / counted, a skipped test counting as not passed, and says it in one sentence", () => {
    const g = grade({ reports: { files: [report("pytest-mixed.xml")], skipped: [] } });
    expect(g.status).toBe("DONE");
    expect(g.score).toBe(33.33);
    expect(g.feedback).toMatchObject({
      outcome: "failed",
      message: "2 of 6 tests passed (1 skipped, which counts as not passed).",
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

  it("calls a build failure in the student's file a compile error and quotes the compiler", () => {
    const output = `[ERROR] ${WS}/src/A.java:[3,1] class expected`;
    const g = grade({ run: run({ output }) });
    expect(g.score).toBe(0);
    expect(g.feedback).toMatchObject({
      outcome: "compile_error",
      message: "Your code did not build, so no test ran: src/A.java:3:1: class expected",
      compileErrors: ["src/A.java:3:1: class expected"],
    });
  });

  it("never blames the student for a failure with no compiler error in their files: retryable environment error", () => {
    const resolution = "[ERROR] Failed to execute goal on project x: Could not resolve dependencies for project dev:x:jar:1.0";
    const failure = (() => {
      try {
        grade({ run: run({ output: resolution }) });
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(EnvironmentError);
    expect((failure as EnvironmentError).retryable).toBe(true);
    expect((failure as EnvironmentError).outcome).toBe("internal_error");
    expect((failure as Error).message).toMatch(/could not resolve a dependency/);
    // A compiler error in a file that is neither the student's nor the template's is not the student's either.
    expect(() => grade({ run: run({ output: `[ERROR] /usr/share/x/Gen.java:[1,1] oops` }) })).toThrow(EnvironmentError);
    expect(() => grade({ run: run({ exitCode: null, signal: "SIGKILL" }) })).toThrow(/killed/);
    // A template test missing a package that the pom should have provided (JUnit) is the PIT's failure...
    const test = `${WS}/src/test/java/dev/bank/AccountTest.java`;
    expect(() => grade({ run: run({ output: `[ERROR] ${test}:[3,36] package org.junit.jupiter.api does not exist` }) })).toThrow(EnvironmentError);
    // ...but one that does not compile against the student's API, or misses the student's own package, is theirs.
    for (const message of ["cannot find symbol", "package dev.bank.model does not exist", "package com.other does not exist"]) {
      expect(grade({ run: run({ output: `[ERROR] ${test}:[9,5] ${message}` }) }).feedback.outcome).toBe("compile_error");
    }
  });

  it("calls a report whose every test file failed to load a compile error", () => {
    const g = grade({ reports: { files: [report("pytest-collection-error.xml")], skipped: [] } });
    expect(g.feedback.outcome).toBe("compile_error");
    expect(g.feedback.summary).toMatchObject({ total: 1, errored: 1 });
  });

  it("with a recorded list, a load failure is a compile error with every expected test not passed", () => {
    const g = grade({ reports: { files: [report("pytest-collection-error.xml")], skipped: [] }, expectation: recorded([["m", "a"], ["m", "b"]]) });
    expect(g.feedback).toMatchObject({ outcome: "compile_error", summary: { total: 2, passed: 0, errored: 2 } });
    expect(g.feedback.notGraded).toBeUndefined();
  });

  it("a PIT without a recorded list whose command exits 0 without a report is misconfigured, not a grade", () => {
    expect(() => grade({ run: run({ exitCode: 0 }) })).toThrow(PitConfigError);
    const empty = { path: "reports/junit.xml", content: '<testsuites><testsuite name="pytest" tests="0"/></testsuites>' };
    expect(() => grade({ run: run({ exitCode: 5 }), reports: { files: [empty], skipped: [] } })).toThrow(PitConfigError);
  });

  it("with a recorded list, a run that exits 0 without a report scores 0: the expected tests did not run", () => {
    const g = grade({ run: run({ exitCode: 0 }), expectation: recorded([["S", "a"], ["S", "b"]]) });
    expect(g).toMatchObject({ status: "DONE", score: 0 });
    expect(g.feedback).toMatchObject({ outcome: "failed", message: "The expected tests did not run, so the score is 0.", summary: { total: 2, errored: 2 } });
    expect(g.feedback.tests.map((t) => t.message)).toEqual([DID_NOT_RUN, DID_NOT_RUN]);
  });

  it("counts only the expected tests: extra ones are listed as not graded, missing ones count as not passed", () => {
    const expectation = recorded([["fx.MixedTest", "passes"], ["fx.MixedTest", "fails"], ["fx.MixedTest", "vanished"], ["fx.MixedTest", "skipped"]], [["fx.MixedTest", "skipped"]]);
    const g = grade({ reports: surefire, expectation });
    expect(g.score).toBe(33.33);
    expect(g.feedback.summary).toEqual({ total: 3, passed: 1, failed: 1, errored: 1, skipped: 0 });
    expect(g.feedback.tests.map((t) => [t.name, t.status])).toEqual([["passes", "passed"], ["fails", "failed"], ["vanished", "error"]]);
    expect(g.feedback.notGraded?.map((t) => t.name).sort()).toEqual(["errors", "grüßeÄndern", "innerPasses"]);
    expect(g.feedback.message).toBe("1 of 3 tests passed. 1 expected test did not run. 3 tests that the exercise does not include ran but were not graded.");
  });

  it("keeps a test's worst result when it is reported twice, so a forged duplicate cannot pass it", () => {
    const forged = { path: "r2.xml", content: '<testsuite><testcase classname="fx.MixedTest" name="fails"/></testsuite>' };
    const g = grade({ reports: { files: [forged, ...surefire.files], skipped: [] }, expectation: recorded([["fx.MixedTest", "fails"]]) });
    expect(g.score).toBe(0);
    expect(g.feedback.tests[0]?.status).toBe("failed");
  });

  it("without a recorded list, counts the template's own tests only", () => {
    const g = grade({ reports: surefire, expectation: { isTemplateTest: (t) => t.name !== "passes" } });
    expect(g.feedback.summary.total).toBe(5);
    expect(g.feedback.notGraded).toEqual([{ name: "passes", suite: "fx.MixedTest", status: "passed" }]);
  });

  it("refuses a report without a failure from a run whose tool said some test failed, and never grades a broken tool's", () => {
    const allPass = { path: "reports/junit.xml", content: '<testsuite><testcase classname="S" name="a"/><testcase classname="S" name="b"><skipped/></testcase></testsuite>' };
    const reports = { files: [allPass], skipped: [] };
    expect(() => grade({ run: run({ exitCode: 1 }), reports })).toThrow(ReportMismatchError);
    expect(() => grade({ run: run({ exitCode: 3 }), reports })).toThrow(EnvironmentError);
    expect(grade({ run: run({ exitCode: 0 }), reports }).score).toBe(50);
    // Reports with a failure agree with exit code 1; a timeout or signed results are graded as they are.
    expect(grade({ run: run({ exitCode: 1 }), reports: surefire }).score).toBe(33.33);
    expect(grade({ run: run({ exitCode: null, timedOut: true }), reports }).feedback.outcome).toBe("timeout");
  });

  it("grades the guard's trusted results instead of the reports when it has them", () => {
    const trusted = [{ name: "fails", suite: "fx.MixedTest", status: "failed" as const, durationMs: 1, message: "no", loadFailure: false }];
    const g = grade({ reports: surefire, trustedCases: trusted, expectation: recorded([["fx.MixedTest", "fails"], ["fx.MixedTest", "passes"]]) });
    expect(g.feedback.tests.map((t) => t.status)).toEqual(["failed", "error"]);
  });

  it("lists the files that were not used, capped, and says so", () => {
    const ignored = Array.from({ length: 60 }, (_, i) => ({ path: `x${i}.txt`, reason: "r" }));
    const g = grade({ reports: surefire, ignored });
    expect(g.feedback.ignoredFiles).toHaveLength(50);
    expect(g.feedback.ignoredFileCount).toBe(60);
    expect(g.feedback.message).toMatch(/60 files of your submission were not used \(see ignoredFiles\)\.$/);
  });

  it("counts the tests that finished before a timeout", () => {
    const g = grade({ run: run({ exitCode: null, timedOut: true }), reports: surefire });
    expect(g.feedback.outcome).toBe("timeout");
    expect(g.score).toBe(33.33);
    expect(g.feedback.message).toBe("The tests did not finish in time. 2 of 6 tests passed (1 skipped, which counts as not passed) before it was stopped.");
    const none = grade({ run: run({ exitCode: null, timedOut: true }) });
    expect(none.feedback).toMatchObject({ outcome: "timeout", message: "The tests did not finish in time. No test had finished." });
  });

  it("stops at a failed setup command: the student's compile error, or else the environment's failure", () => {
    const output = `  File "${WS}/calc.py", line 3\n    def f(:\n          ^\nSyntaxError: invalid syntax`;
    const g = grade({ run: run({ exitCode: 2, output }), setupFailure: { command: "python3 -m py_compile calc.py", exitCode: 2 } });
    expect(g.score).toBe(0);
    expect(g.feedback.outcome).toBe("compile_error");
    expect(g.feedback.message).toBe('The preparation step "python3 -m py_compile calc.py" failed, so no test ran: calc.py:3: SyntaxError: invalid syntax');
    expect(() => grade({ run: run({ exitCode: 2 }), setupFailure: { command: "pip install -r requirements.txt", exitCode: 2 } })).toThrow(EnvironmentError);
  });

  it("applies the PIT's weights and maximum score", () => {
    const g = grade({ reports: surefire, grading: { maxScore: 20, weights: { "fx.MixedTest.passes": 3, fails: 0 } } });
    // counted weights: errors 1, passes 3, fails 0, grüßeÄndern 1, skipped 1, innerPasses 1 = 7; passed: 3 + 1 = 4.
    expect(g.score).toBe(11.43);
  });

  it("reports unparseable files as problems, not as a crash", () => {
    const g = grade({ run: run({ exitCode: 0 }), reports: { files: [{ path: "reports/bad.xml", content: "<oops" }], skipped: [] }, expectation: recorded([["S", "a"]]) });
    expect(g.problems[0]).toMatch(/^reports\/bad.xml: not well-formed XML/);
    expect(g.feedback.outcome).toBe("failed");
  });
});
