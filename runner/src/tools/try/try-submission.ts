import { mkdtemp, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { rimraf } from "rimraf";
import { RUNNER_ROOT } from "../../config";
import { toRunnerError, type RunnerError } from "../../errors/runner-error";
import type { RunResult } from "../../execute/run-command";
import { errorFeedback, type GradeResult } from "../../grading/feedback";
import type { ParsedTestCase } from "../../grading/junit-xml";
import { zipFolder } from "../../local/zip-folder";
import { gradeSubmission } from "../../pipeline/grade-submission";
import { timedStage } from "../../pipeline/stage";
import type { PitConfigService } from "../../pit-config/pit-config.service";
import { CliError } from "../cli-error";

/** The runner's own defaults (RUNNER_MAX_LOG_BYTES, RUNNER_KILL_GRACE_MS), so a try behaves as production does. */
export const TRY_LIMITS = { maxLogBytes: 1024 * 1024, killGraceMs: 2000, guardsDir: path.join(RUNNER_ROOT, "guards") };

export interface TryOptions {
  pits: PitConfigService;
  log: Logger;
  /** Keep the scratch folder (workspace, zipped folder) instead of removing it. */
  keep?: boolean;
  /** Grade as a PIT without recorded tests would, to find every template test the submission runs (--record). */
  ignoreRecordedTests?: boolean;
  signal?: AbortSignal;
}

export interface TryResult {
  /** False when the submission could not be graded: the row would end ERROR. */
  graded: boolean;
  grade: GradeResult;
  run?: RunResult;
  failure?: RunnerError;
  /** Where the workspace was; only still there with `keep`. */
  workspace: string;
  /** The counted tests as reported, when it graded. */
  counted?: ParsedTestCase[];
}

async function kindOf(p: string): Promise<"file" | "folder"> {
  try {
    const info = await stat(p);
    if (info.isDirectory()) return "folder";
    if (info.isFile()) return "file";
  } catch (error) {
    throw new CliError(`Submission ${p} does not exist or cannot be read.`, 2, { cause: error });
  }
  throw new CliError(`Submission ${p} is neither a file nor a folder.`, 2);
}

/**
 * Grades one local submission as the queue pipeline would, minus the claim, download, upload and
 * record stages that need SQS, S3 and PostgreSQL.
 */
export async function trySubmission(pitId: string, submission: string, options: TryOptions): Promise<TryResult> {
  const kind = await kindOf(submission);
  const started = performance.now();
  const scratch = await mkdtemp(path.join(os.tmpdir(), "try-pit-"));
  const workspace = path.join(scratch, "work");
  const stage = timedStage(options.log);
  let run: RunResult | undefined;
  try {
    const loaded = await stage("load-pit", () => options.pits.load(pitId));
    const pit = options.ignoreRecordedTests
      ? { ...loaded, config: { ...loaded.config, expectedTests: undefined, disabledTests: undefined } }
      : loaded;
    let zipPath = path.resolve(submission);
    if (kind === "folder") {
      zipPath = path.join(scratch, "submission.zip");
      await stage("zip-folder", () => zipFolder(path.resolve(submission), zipPath));
    }
    const graded = await gradeSubmission({
      pit,
      zipPath,
      workspace,
      tmpDir: path.join(scratch, "tmp"),
      config: TRY_LIMITS,
      stage,
      signal: options.signal,
      onRun: (finished) => (run = finished),
    });
    return { graded: true, grade: graded.grade, run: graded.run, workspace, counted: graded.counted };
  } catch (error) {
    const failure = toRunnerError(error);
    const grade = errorFeedback(failure.outcome, failure.studentMessage, pitId, Math.round(performance.now() - started));
    return { graded: false, grade, run, failure, workspace };
  } finally {
    if (!options.keep) await rimraf(scratch);
  }
}
