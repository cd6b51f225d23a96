/**
 * Permanent: retrying the same message can never succeed (bad archive, unknown PIT, missing ZIP).
 * Transient: a dependency failed and another attempt may succeed (S3, SQS or database unavailable).
 */
export type ErrorKind = "permanent" | "transient";

/** The feedback outcome a failure maps to (../shared/CONTRACT.md §4). */
export type FailureOutcome = "invalid_submission" | "internal_error";

export interface RunnerErrorOptions {
  kind: ErrorKind;
  outcome: FailureOutcome;
  /** Plain words for the student; never contains paths or internals. */
  studentMessage: string;
  submissionId?: string;
  cause?: unknown;
}

export class RunnerError extends Error {
  readonly kind: ErrorKind;
  readonly outcome: FailureOutcome;
  readonly studentMessage: string;
  submissionId?: string;

  constructor(message: string, options: RunnerErrorOptions) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.kind = options.kind;
    this.outcome = options.outcome;
    this.studentMessage = options.studentMessage;
    this.submissionId = options.submissionId;
  }

  get retryable(): boolean {
    return this.kind === "transient";
  }
}

/** The archive is unsafe or unreadable: the student must submit again. */
export class InvalidArchiveError extends RunnerError {
  constructor(message: string, options: { cause?: unknown; submissionId?: string } = {}) {
    super(message, {
      kind: "permanent",
      outcome: "invalid_submission",
      studentMessage: `Your submission could not be accepted: ${message}`,
      ...options,
    });
  }
}

/** The submission lacks files the exercise requires. */
export class MissingFilesError extends RunnerError {
  constructor(readonly missing: string[], options: { submissionId?: string } = {}) {
    super(`Required files are missing: ${missing.join(", ")}`, {
      kind: "permanent",
      outcome: "invalid_submission",
      studentMessage: `Your submission is missing required files: ${missing.join(", ")}.`,
      ...options,
    });
  }
}

/** The PIT has no usable configuration: nothing the student can fix, and retrying will not help. */
export class PitConfigError extends RunnerError {
  constructor(message: string, options: { cause?: unknown; submissionId?: string } = {}) {
    super(message, {
      kind: "permanent",
      outcome: "internal_error",
      studentMessage: "This exercise is not set up for automatic grading yet. Please tell your instructor.",
      ...options,
    });
  }
}

/** One use of an API the exercise does not allow, found in the student's code (code-policy/). */
export interface CodeFinding {
  /** Relative to the submission's root, as the student named it. */
  file: string;
  line?: number;
  /** The API as the student would recognise it: `Runtime.addShutdownHook`, `ctypes`, `node:child_process`. */
  api: string;
  /** The policy entry that denied it (`java.lang.Runtime.addShutdownHook`), for the log and the PIT author. */
  rule: string;
}

const MAX_FINDINGS_IN_MESSAGE = 3;

/** The solution uses APIs the exercise forbids: refused before (or instead of) grading, never scored. */
export class CodePolicyError extends RunnerError {
  constructor(readonly findings: CodeFinding[], options: { submissionId?: string } = {}) {
    const shown = findings.slice(0, MAX_FINDINGS_IN_MESSAGE).map((f) => `${f.file}${f.line ? `:${f.line}` : ""} uses ${f.api}`);
    const more = findings.length > shown.length ? ` (and ${findings.length - shown.length} more)` : "";
    const sentence = `${shown.join("; ")}${more}, which this exercise does not allow`;
    super(`Code policy: ${sentence}`, {
      kind: "permanent",
      outcome: "invalid_submission",
      studentMessage: `Your submission was not graded: ${sentence}. Remove it and submit again.`,
      ...options,
    });
  }
}

/**
 * The grading environment failed (a dependency or plugin that cannot be resolved, a missing tool, a JVM that
 * could not start or was killed for memory, a full disk): never the student's fault, so never their grade.
 */
export class EnvironmentError extends RunnerError {
  constructor(message: string, options: { cause?: unknown; submissionId?: string; kind?: ErrorKind } = {}) {
    super(message, {
      kind: options.kind ?? "transient",
      outcome: "internal_error",
      studentMessage: "The grader's environment failed while running your tests; this is not a problem with your code. It will try again.",
      ...options,
    });
  }
}

/**
 * The test report contradicts the run that should have written it: it shows no failure although the test tool
 * said some test failed (exit code 1 for pytest, node --test and Maven alike). Something else wrote or changed it.
 */
export class ReportMismatchError extends RunnerError {
  constructor(exitCode: number, options: { submissionId?: string } = {}) {
    super(`The test report shows no failure, but the test command exited ${exitCode}`, {
      kind: "permanent",
      outcome: "invalid_submission",
      studentMessage:
        "Your submission was not graded: the test report says no test failed, but the test run itself reported failures, " +
        "so the report cannot be trusted. Make sure your code does not write or change files it was not asked to, and submit again.",
      ...options,
    });
  }
}

/** A storage call failed; `kind` tells whether the object is gone for good or S3 was unavailable. */
export class StorageError extends RunnerError {
  constructor(message: string, options: { kind: ErrorKind; cause?: unknown; submissionId?: string }) {
    super(message, {
      outcome: "internal_error",
      studentMessage:
        options.kind === "permanent"
          ? "Your uploaded file could not be found. Please submit again."
          : "The grader could not reach its storage. Your submission will be graded as soon as it is back.",
      ...options,
    });
  }
}

/** The database rejected or could not take a write. */
export class DatabaseError extends RunnerError {
  constructor(message: string, options: { cause?: unknown; submissionId?: string; kind?: ErrorKind } = {}) {
    super(message, {
      kind: options.kind ?? "transient",
      outcome: "internal_error",
      studentMessage: "The grader could not save your result. It will try again.",
      ...options,
    });
  }
}

/** Wraps anything unexpected so every failure carries a kind and a student-readable message. */
export function toRunnerError(error: unknown, submissionId?: string): RunnerError {
  if (error instanceof RunnerError) {
    error.submissionId ??= submissionId;
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RunnerError(`Unexpected failure: ${message}`, {
    kind: "transient",
    outcome: "internal_error",
    studentMessage: "The grader hit an internal problem while grading your submission.",
    submissionId,
    cause: error,
  });
}
