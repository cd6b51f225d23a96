/** The feedback JSON stored in `submissions.feedback` (../shared/CONTRACT.md §4). */
export type Outcome = "passed" | "failed" | "compile_error" | "timeout" | "invalid_submission" | "internal_error";
export type TestStatus = "passed" | "failed" | "error" | "skipped";
export type FinalStatus = "DONE" | "ERROR";

export interface TestCaseFeedback {
  name: string;
  suite: string | null;
  status: TestStatus;
  durationMs: number | null;
  message: string | null;
}

export interface TestSummary {
  total: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
}

export interface Feedback {
  outcome: Outcome;
  message: string;
  summary: TestSummary;
  tests: TestCaseFeedback[];
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  pitId: string;
  /** Runner's addition to the contract: the compiler's first errors when the build failed. */
  compileErrors?: string[];
  /** Tests that ran but that the PIT does not expect (a submission's own): listed, never scored. The first 50. */
  notGraded?: NotGradedTest[];
  /** Files of the submission that were not used, and why. The first 50; `ignoredFileCount` counts them all. */
  ignoredFiles?: { path: string; reason: string }[];
  ignoredFileCount?: number;
}

export type NotGradedTest = Pick<TestCaseFeedback, "name" | "suite" | "status">;

export interface GradeResult {
  status: FinalStatus;
  score: number;
  feedback: Feedback;
}

export const EMPTY_SUMMARY: TestSummary = Object.freeze({ total: 0, passed: 0, failed: 0, errored: 0, skipped: 0 });

export const MAX_MESSAGE_CHARS = 2000;

/** JSONB refuses NUL; control characters and overlong strings make feedback unreadable. */
export function cleanText(text: string, maxChars = MAX_MESSAGE_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = text.replace(/\u0000/g, "").replace(/[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").trim();
  return cleaned.length > maxChars ? `${cleaned.slice(0, maxChars - 1)}…` : cleaned;
}

/**
 * `100 * passed / counted`, two decimals (../shared/CONTRACT.md §4): `summary` describes the counted tests, and a
 * counted test skipped at run time is not passed. 0 when nothing is counted.
 */
export function scoreOf(summary: TestSummary): number {
  if (summary.total <= 0) return 0;
  return Math.round((10000 * summary.passed) / summary.total) / 100;
}

/** The feedback for a submission that could not be graded (status ERROR). */
export function errorFeedback(
  outcome: "invalid_submission" | "internal_error",
  message: string,
  pitId: string,
  durationMs: number,
): GradeResult {
  return {
    status: "ERROR",
    score: 0,
    feedback: {
      outcome,
      message: cleanText(message),
      summary: { ...EMPTY_SUMMARY },
      tests: [],
      exitCode: null,
      timedOut: false,
      durationMs,
      pitId,
    },
  };
}
