import type { IgnoredFile } from "../admit/admission";
import { PitConfigError, ReportMismatchError } from "../errors/runner-error";
import type { RunResult } from "../execute/run-command";
import type { PitConfig } from "../pit-config/interfaces/pit-config.interface";
import { relativize } from "./compile-errors";
import { isDidNotRun, selectCountedTests, type CountedTests, type TestExpectation } from "./counted-tests";
import {
  cleanText,
  scoreOf,
  type Feedback,
  type GradeResult,
  type NotGradedTest,
  type Outcome,
  type TestCaseFeedback,
  type TestSummary,
} from "./feedback";
import { parseJUnitXml, ReportParseError, type ParsedTestCase } from "./junit-xml";
import type { ReadReports } from "./report-files";
import { environmentFailure, studentCompileErrors, type CompiledFiles } from "./run-failure";

/** Short enough that a long list of failing tests stays readable. */
export const MAX_TEST_MESSAGE_CHARS = 1000;
export const MAX_TEST_NAME_CHARS = 300;
export const MAX_TESTS = 1000;
/** Lists of what was not used or not graded: the first ones tell the student enough. */
export const MAX_LISTED = 50;

export interface SetupFailure {
  command: string;
  exitCode: number | null;
}

export interface GradeInput {
  run: RunResult;
  /** Set when a setup command failed: the test command never ran. */
  setupFailure?: SetupFailure;
  reports: ReadReports;
  /** Results the runner-owned guard vouched for (Java); when given they are graded instead of the reports. */
  trustedCases?: ParsedTestCase[];
  expectation: TestExpectation;
  /** Files the submission contributed and the template's: a compiler error elsewhere is not the student's. */
  compiled: CompiledFiles;
  /** Files of the submission that were dropped, with why. */
  ignored?: IgnoredFile[];
  workspace: string;
  pitId: string;
  grading?: PitConfig["grading"];
}

export interface ReportGrade extends GradeResult {
  /** Reports that could not be read or parsed; for the run log, not for the student. */
  problems: string[];
  /** The counted tests as the reports named them, before any cleaning (what `try:pit --record` records). */
  counted: ParsedTestCase[];
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
  const total = tests.reduce((sum, t) => sum + weightOf(t), 0);
  if (total <= 0) return 0;
  const passed = tests.filter((t) => t.status === "passed").reduce((sum, t) => sum + weightOf(t), 0);
  return Math.round((100 * (grading.maxScore ?? 100) * passed) / total) / 100;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function countSentence(s: TestSummary, missing: number): string {
  const notRun = missing > 0 ? ` ${plural(missing, "expected test", "expected tests")} did not run.` : "";
  const skipped = s.skipped > 0 ? ` (${s.skipped} skipped, which counts as not passed)` : "";
  if (s.passed === s.total) return `All ${s.total} tests passed.`;
  return `${s.passed} of ${s.total} tests passed${skipped}.${notRun}`;
}

/** What the student should know beyond the count: files not used, tests not graded. */
function asides(notGraded: number, ignored: number): string {
  const parts: string[] = [];
  if (notGraded > 0) parts.push(` ${plural(notGraded, "test", "tests")} that the exercise does not include ran but were not graded.`);
  if (ignored > 0) parts.push(` ${plural(ignored, "file", "files")} of your submission ${ignored === 1 ? "was" : "were"} not used (see ignoredFiles).`);
  return parts.join("");
}

function compileMessage(prefix: string, errors: string[]): string {
  return errors.length > 0 ? `${prefix}: ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}` : `${prefix}.`;
}

function parseReports(reports: ReadReports, problems: string[]): ParsedTestCase[] {
  const cases: ParsedTestCase[] = [];
  for (const file of reports.files) {
    try {
      cases.push(...parseJUnitXml(file.content, MAX_TESTS - cases.length));
    } catch (error) {
      if (!(error instanceof ReportParseError)) throw error;
      problems.push(`${file.path}: ${error.message}`);
    }
  }
  return cases;
}

/**
 * Turns a finished run and the tests it reported into the grade. Decision order: a failed setup step, then a
 * timeout (finished tests still count), then a run in which no counted test reported (the student's build
 * failure, a misconfigured PIT, or the environment), then a run in which every counted test failed to load,
 * then the counted tests' own results. Environment and PIT failures throw: they are never a grade.
 */
export function gradeReports(input: GradeInput): ReportGrade {
  const { run, workspace, pitId } = input;
  const problems = [...input.reports.skipped];
  const cases = input.trustedCases ?? parseReports(input.reports, problems);
  const selection: CountedTests = selectCountedTests(cases, input.expectation);
  const { counted, missing } = selection;
  const summary = summarize(counted);
  const ignored = input.ignored ?? [];
  const extra: Partial<Feedback> = {};
  // A file that failed to load is no test of the student's: it shows as the compile error, not as "not graded".
  const notGraded = selection.notGraded.filter((c) => !c.loadFailure);
  if (notGraded.length > 0) extra.notGraded = notGraded.slice(0, MAX_LISTED).map((c) => notGradedOf(c, workspace));
  if (ignored.length > 0) {
    extra.ignoredFiles = ignored.slice(0, MAX_LISTED).map((f) => ({ path: cleanText(f.path, MAX_TEST_NAME_CHARS), reason: f.reason }));
    extra.ignoredFileCount = ignored.length;
  }
  const aside = asides(notGraded.length, ignored.length);
  const base = { summary, tests: counted.map((c) => toFeedback(c, workspace)), exitCode: run.exitCode, timedOut: run.timedOut, durationMs: run.durationMs, pitId };
  const result = (outcome: Outcome, score: number, message: string, more: Partial<Feedback> = {}): ReportGrade => ({
    status: "DONE",
    score,
    feedback: { ...base, outcome, message: cleanText(message + aside), ...extra, ...more },
    problems,
    counted,
  });
  const compileErrors = () => studentCompileErrors(run, workspace, input.compiled);

  if (input.setupFailure) {
    const errors = compileErrors();
    if (errors.length === 0) throw environmentFailure(run, `The setup command "${input.setupFailure.command}"`);
    const step = cleanText(input.setupFailure.command, 200);
    return result("compile_error", 0, compileMessage(`The preparation step "${step}" failed, so no test ran`, errors), { compileErrors: errors });
  }
  if (run.timedOut) {
    const finished = selection.ranAny ? ` ${countSentence(summary, missing).replace(/\.$/, "")} before it was stopped.` : " No test had finished.";
    return result("timeout", weightedScore(counted, summary, input.grading), `The tests did not finish in time.${finished}`);
  }
  // A test file that failed to load is not a test: when nothing but such failures (and tests that never ran)
  // stands in the count, the student's code did not load, which is theirs to fix.
  const loadFailures = cases.filter((c) => c.loadFailure);
  if (loadFailures.length > 0 && counted.every((c) => c.loadFailure || isDidNotRun(c))) {
    const errors = compileErrors();
    return result("compile_error", 0, compileMessage("The tests could not load your code, so no test ran", errors), { compileErrors: errors });
  }
  if (!selection.ranAny) {
    // The tool ran and reported, or exited 0: it found none of the counted tests. Otherwise the build failed.
    const toolRan = run.exitCode === 0 || cases.length > 0 || (input.reports.files.length > 0 && problems.length === 0);
    if (!toolRan) {
      const errors = compileErrors();
      if (errors.length === 0) throw environmentFailure(run, "The test command");
      return result("compile_error", 0, compileMessage("Your code did not build, so no test ran", errors), { compileErrors: errors });
    }
    if (!input.expectation.expected) {
      throw new PitConfigError(
        `PIT ${pitId}: the test command ${run.exitCode === 0 ? "exited 0" : `exited ${run.exitCode ?? "by a signal"}`} ` +
          "but no test of the template reported a result (no report matched reportPaths, or it lists none of the template's tests)",
      );
    }
    return result("failed", 0, "The expected tests did not run, so the score is 0.");
  }
  checkAgreesWithRun(run, cases, input.trustedCases !== undefined);
  const outcome: Outcome = summary.total > 0 && summary.passed === summary.total ? "passed" : "failed";
  return result(outcome, weightedScore(counted, summary, input.grading), countSentence(summary, missing));
}

/**
 * The tool's own verdict must agree with its report. Exit code 1 means "some test failed" to pytest, node --test and
 * Maven alike: a report without a failure from such a run was not written by that run alone (a solution rewrote or
 * replaced it). Any other non-zero exit with such a report means the tool itself broke: the environment's failure.
 * Results the runner-owned guard signed are the run's own verdict and need no such check.
 */
function checkAgreesWithRun(run: RunResult, cases: ParsedTestCase[], trusted: boolean): void {
  if (trusted || run.timedOut || run.exitCode === null || run.exitCode === 0) return;
  if (!cases.every((c) => c.status === "passed" || c.status === "skipped")) return;
  if (run.exitCode === 1) throw new ReportMismatchError(run.exitCode);
  throw environmentFailure(run, "The test command");
}

function notGradedOf(c: ParsedTestCase, workspace: string): NotGradedTest {
  const { name, suite, status } = toFeedback(c, workspace);
  return { name, suite, status };
}
