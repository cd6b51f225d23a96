import type { RunResult } from "../execute/run-command";
import { EMPTY_SUMMARY, type GradeResult } from "./feedback";

/**
 * Interim grading until test reports are parsed: the exit code is the only signal, so the
 * feedback says so rather than pretending to know per-test results.
 */
export function gradeByExitCode(run: RunResult, pitId: string): GradeResult {
  const passed = run.exitCode === 0 && !run.timedOut;
  const base = { summary: { ...EMPTY_SUMMARY }, tests: [], exitCode: run.exitCode, timedOut: run.timedOut, durationMs: run.durationMs, pitId };
  if (run.timedOut) {
    return { status: "DONE", score: 0, feedback: { ...base, outcome: "timeout", message: "The tests did not finish in time (scored from the exit code only)." } };
  }
  return {
    status: "DONE",
    score: passed ? 100 : 0,
    feedback: {
      ...base,
      outcome: passed ? "passed" : "failed",
      message: passed
        ? "The test command succeeded (scored from the exit code only)."
        : `The test command failed with exit code ${run.exitCode ?? "none"} (scored from the exit code only).`,
    },
  };
}
