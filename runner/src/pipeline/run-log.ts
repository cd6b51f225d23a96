import type { RunnerError } from "../errors/runner-error";
import type { RunResult } from "../execute/run-command";
import type { GradeResult } from "../grading/feedback";
import type { SubmissionMessage } from "../queue/submission-message";

/** The text stored at logs/<submissionId>/run.log: a short header, then the run's own output. */
export function buildRunLog(
  message: SubmissionMessage,
  run: RunResult | undefined,
  grade: GradeResult,
  failure: RunnerError | undefined,
): string {
  const lines = [
    `submission: ${message.submissionId}`,
    `pit: ${message.pitId}`,
    `status: ${grade.status} (${grade.feedback.outcome}), score ${grade.score}`,
  ];
  if (failure) lines.push(`error: ${failure.studentMessage}`);
  if (run) {
    lines.push(
      `exit code: ${run.exitCode ?? "none"}${run.signal ? ` (signal ${run.signal})` : ""}`,
      `timed out: ${run.timedOut}`,
      `duration: ${run.durationMs} ms`,
      `output bytes: ${run.outputBytes}`,
      "",
      "----- output -----",
      run.output.replaceAll("\u0000", ""),
    );
  }
  return `${lines.join("\n")}\n`;
}
