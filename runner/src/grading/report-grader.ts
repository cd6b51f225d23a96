import type { RunResult } from "../execute/run-command";
import type { PitConfig } from "../pit-config/interfaces/pit-config.interface";
import { extractCompileErrors, relativize } from "./compile-errors";
import { cleanText, scoreOf, type GradeResult, type Outcome, type TestCaseFeedback, type TestSummary } from "./feedback";
import { parseJUnitXml, ReportParseError, type ParsedTestCase } from "./junit-xml";
import type { ReadReports } from "./report-files";

/** Short enough that a long list of failing tests stays readable. */
export const MAX_TEST_MESSAGE_CHARS = 1000;
export const MAX_TEST_NAME_CHARS = 300;
export const MAX_TESTS = 1000;

export interface SetupFailure {
  command: string;
  exitCode: number | null;
}

export interface GradeInput {
  run: RunResult;
  /** Set when a setup command failed: the test command never ran. */
  setupFailure?: SetupFailure;
  reports: ReadReports;
  workspace: string;
  pitId: string;
  grading?: PitConfig["grading"];
}

export interface ReportGrade extends GradeResult {
  /** Reports that could not be read or parsed; for the run log, not for the student. */
  problems: string[];
}

function toFeedback(c: ParsedTestCase, workspace: string): TestCaseFeedback {
  const clean = (s: string, max: number) => cleanText(relativize(s, workspace), max);
  return {
    name: clean(c.name, MAX_TEST_NAME_CHARS) || "(unnamed test)",
    suite: c.suite === null ? null : clean(c.suite, MAX_TEST_NAME_CHARS),
    status: c.status,
    durationMs: c.durationMs,
    message: c.status === "passed" || c.message === null ? null : clean(c.message, MAX_TEST_MESSAGE_CHARS),
  };
}

function summarize(tests: ParsedTestCase[]): TestSummary {
  const count = (s: ParsedTestCase["status"]) => tests.filter((t) => t.status === s).length;
  return { total: tests.length, passed: count("passed"), failed: count("failed"), errored: count("error"), skipped: count("skipped") };
}

/** `maxScore * weight passed / weight counted`; with neither option set this is exactly `scoreOf`. */
function weightedScore(tests: ParsedTestCase[], summary: TestSummary, grading: GradeInput["grading"]): number {
  if (!grading?.weights && grading?.maxScore === undefined) return scoreOf(summary);
  const weights = grading.weights ?? {};
  const weightOf = (t: ParsedTestCase) => weights[`${t.suite ?? ""}.${t.name}`] ?? weights[t.name] ?? 1;
  const counted = tests.filter((t) => t.status !== "skipped");
  const total = counted.reduce((sum, t) => sum + weightOf(t), 0);
  if (total <= 0) return 0;
  const passed = counted.filter((t) => t.status === "passed").reduce((sum, t) => sum + weightOf(t), 0);
  return Math.round((100 * (grading.maxScore ?? 100) * passed) / total) / 100;
}

function countSentence(s: TestSummary): string {
  const counted = s.total - s.skipped;
  const skipped = s.skipped > 0 ? ` (${s.skipped} skipped)` : "";
  if (counted === 0) return `No test ran: all ${s.total} tests were skipped.`;
  if (s.passed === counted) return `All ${counted} tests passed${skipped}.`;
  return `${s.passed} of ${counted} tests passed${skipped}.`;
}

function compileMessage(prefix: string, errors: string[]): string {
  return errors.length > 0 ? `${prefix}: ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}` : `${prefix}.`;
}

/**
 * Turns a finished run and the JUnit reports it left into the grade. Decision order: a failed setup
 * step, then a timeout (finished tests still count), then no report at all (build failure or no
 * tests found), then a report in which every test file failed to load, then the tests' own results.
 */
export function gradeReports(input: GradeInput): ReportGrade {
  const { run, workspace, pitId } = input;
  const problems = [...input.reports.skipped];
  const cases: ParsedTestCase[] = [];
  for (const file of input.reports.files) {
    try {
      cases.push(...parseJUnitXml(file.content, MAX_TESTS - cases.length));
    } catch (error) {
      if (!(error instanceof ReportParseError)) throw error;
      problems.push(`${file.path}: ${error.message}`);
    }
  }
  const summary = summarize(cases);
  const tests = cases.map((c) => toFeedback(c, workspace));
  const base = { summary, tests, exitCode: run.exitCode, timedOut: run.timedOut, durationMs: run.durationMs, pitId };
  const compileErrors = () => extractCompileErrors(run.output, workspace).map((e) => cleanText(e, 500));
  const result = (outcome: Outcome, score: number, message: string, extra: { compileErrors?: string[] } = {}): ReportGrade => ({
    status: "DONE",
    score,
    feedback: { ...base, outcome, message: cleanText(message), ...extra },
    problems,
  });

  if (input.setupFailure) {
    const errors = compileErrors();
    const step = cleanText(input.setupFailure.command, 200);
    return result(
      "compile_error",
      0,
      compileMessage(`The preparation step "${step}" failed (exit code ${input.setupFailure.exitCode ?? "none"}), so no test ran`, errors),
      { compileErrors: errors },
    );
  }
  if (run.timedOut) {
    const finished = summary.total > 0 ? ` ${countSentence(summary).replace(/\.$/, "")} before it was stopped.` : " No test had finished.";
    return result("timeout", weightedScore(cases, summary, input.grading), `The tests did not finish in time.${finished}`);
  }
  if (cases.length === 0) {
    // A report that lists no test (pytest exits 5 then) means the tool ran and found nothing to run.
    const emptyReport = input.reports.files.length > 0 && problems.length === 0;
    if (run.exitCode === 0 || emptyReport) {
      return result(
        "failed",
        0,
        emptyReport
          ? "No test results were found: the test report lists no test, so the score is 0."
          : "No test results were found: the test command finished without writing a test report, so the score is 0.",
      );
    }
    const errors = compileErrors();
    return result("compile_error", 0, compileMessage("Your code did not build, so no test ran", errors), { compileErrors: errors });
  }
  if (cases.every((c) => c.loadFailure)) {
    const errors = compileErrors();
    return result("compile_error", 0, compileMessage("The tests could not load your code, so no test ran", errors), {
      compileErrors: errors,
    });
  }
  const counted = summary.total - summary.skipped;
  const outcome: Outcome = counted > 0 && summary.passed === counted ? "passed" : "failed";
  return result(outcome, weightedScore(cases, summary, input.grading), countSentence(summary));
}
