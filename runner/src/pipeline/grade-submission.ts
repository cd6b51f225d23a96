import type { Config } from "../config";
import { RunnerError } from "../errors/runner-error";
import { runCommand, type RunResult } from "../execute/run-command";
import { extractZip } from "../extract/extract-zip";
import { gradeByExitCode } from "../grading/exit-code-grader";
import type { GradeResult } from "../grading/feedback";
import type { LoadedPit } from "../pit-config/pit-config.service";
import { prepareWorkspace } from "../prepare/prepare-workspace";
import type { Stage } from "./stage";

export interface GradeSubmissionInput {
  pit: LoadedPit;
  zipPath: string;
  /** Emptied, then filled with the submission and the PIT's template; the caller removes it afterwards. */
  workspace: string;
  tmpDir: string;
  config: Pick<Config, "maxLogBytes" | "killGraceMs">;
  stage: Stage;
  signal?: AbortSignal;
  /** Sees the run as soon as it ends, so the caller can keep its output even when grading then fails. */
  onRun?: (run: RunResult) => void;
}

export interface GradedSubmission {
  run: RunResult;
  grade: GradeResult;
}

/**
 * The stages every grading goes through, whoever asks (the queue pipeline or `npm run try:pit`):
 * extract, prepare, run, grade. Failures throw typed RunnerErrors; a failing test is a grade.
 */
export async function gradeSubmission(input: GradeSubmissionInput): Promise<GradedSubmission> {
  const { pit, workspace, stage } = input;
  await stage("extract", () => extractZip(input.zipPath, workspace));
  const prepared = await stage("prepare", () => prepareWorkspace(pit, workspace, input.tmpDir));
  const run = await stage("run", () =>
    runCommand({
      command: pit.config.testCommand,
      cwd: workspace,
      env: prepared.env,
      timeoutMs: pit.config.maxTimeoutMs,
      maxOutputBytes: input.config.maxLogBytes,
      killGraceMs: input.config.killGraceMs,
      signal: input.signal,
    }),
  );
  input.onRun?.(run);
  if (run.aborted) {
    throw new RunnerError("Grading was interrupted by a runner shutdown", {
      kind: "transient",
      outcome: "internal_error",
      studentMessage: "Grading was interrupted. Your submission will be graded again.",
    });
  }
  const grade = await stage("grade", async () => gradeByExitCode(run, pit.pitId));
  return { run, grade };
}
