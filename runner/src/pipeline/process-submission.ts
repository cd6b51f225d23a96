import path from "node:path";
import type { Logger } from "pino";
import { rimraf } from "rimraf";
import type { Config } from "../config";
import { toRunnerError, type RunnerError } from "../errors/runner-error";
import type { RunResult } from "../execute/run-command";
import { errorFeedback, type GradeResult } from "../grading/feedback";
import type { PythonAnalyser } from "../code-policy/python/python-analyser";
import type { PitConfigService } from "../pit-config/pit-config.service";
import type { Sandbox } from "../sandbox/sandbox";
import type { SubmissionMessage } from "../queue/submission-message";
import type { FailureDecision } from "../reliability/failure-policy";
import type { SubmissionRepository } from "../results/submission-repository";
import type { StorageService } from "../storage/storage.service";
import { gradeSubmission } from "./grade-submission";
import { buildRunLog } from "./run-log";
import { timedStage, type Stage, type StageTimings } from "./stage";

export interface PipelineDeps {
  storage: StorageService;
  pits: PitConfigService;
  submissions: SubmissionRepository;
  sandbox: Sandbox;
  /** PITs this runner already warned about (no recorded expected tests); owned by the runner instance. */
  warnedPits?: Set<string>;
  /** The static check's Python worker, one per runner instance (started at its first Python submission). */
  pythonAnalyser?: PythonAnalyser;
  config: Pick<Config, "workDir" | "tmpDir" | "maxLogBytes" | "killGraceMs" | "extractLimits" | "guardsDir">;
}

export type SubmissionOutcome = (
  | { kind: "recorded"; status: GradeResult["status"]; score: number; outcome: string; logsS3Key: string | null }
  /** Nothing to record: the row is already final (redelivery), another runner won the race, or there is no row. */
  | { kind: "skipped"; reason: "already-final" | "lost-race" | "missing-row" }
  /** Nothing recorded: the failure is worth another attempt after `delaySeconds`. */
  | { kind: "retry"; delaySeconds: number; failure: RunnerError }
) & { timings: StageTimings };

export interface ProcessOptions {
  /** Aborted at shutdown: the test run is killed and the submission left for another attempt. */
  signal?: AbortSignal;
  /** Whether a failure is recorded as ERROR now or left for another attempt; without it, every failure is recorded. */
  decide?: (failure: RunnerError) => FailureDecision;
  /** Concurrency slot (0..concurrency-1) from the consumer; it picks the sandbox uid. */
  slot?: number;
}

/**
 * The story of one submission: claim, download, extract, prepare, run, grade, upload, record.
 * Returns once the result is on the row, or with `retry` when `options.decide` leaves a failure for
 * another attempt; throws only when the database could not be reached to claim or record.
 */
export async function processSubmission(
  message: SubmissionMessage,
  deps: PipelineDeps,
  log: Logger,
  options: ProcessOptions = {},
): Promise<SubmissionOutcome> {
  const { submissionId, pitId } = message;
  const started = performance.now();
  const stage = timedStage(log);
  const slot = options.slot ?? 0;

  const tmpDir = path.join(deps.config.tmpDir, submissionId);
  const workspace = path.join(deps.config.workDir, submissionId);
  // The PIT and the ZIP are fetched while the row is claimed: the claim is a database round trip that
  // almost always succeeds, and waiting for it first put it on every submission's critical path.
  const pitLoad = stage("load-pit", () => deps.pits.load(pitId));
  const download = stage("download", () => deps.storage.downloadZipToTemp(message.fileKey, submissionId));
  // Their failures are handled where they are awaited; these only stop an early one from going unhandled.
  pitLoad.catch(() => undefined);
  download.catch(() => undefined);

  const claim = await stage("claim", () => deps.submissions.claim(submissionId)).catch(async (error: unknown) => {
    await Promise.allSettled([pitLoad, download]).then(() => rimraf(tmpDir));
    throw error;
  });
  if (claim !== "claimed") {
    await Promise.allSettled([pitLoad, download]);
    await rimraf(tmpDir);
  }
  if (claim === "final") return { kind: "skipped", reason: "already-final", timings: stage.timings };
  if (claim === "missing") {
    log.error({ event: "missing-row" }, "no submissions row for this message; nothing to record");
    return { kind: "skipped", reason: "missing-row", timings: stage.timings };
  }

  let grade: GradeResult;
  let run: RunResult | undefined;
  let failure: RunnerError | undefined;
  let retry: Extract<FailureDecision, { action: "retry" }> | undefined;
  try {
    const pit = await pitLoad;
    const zipPath = await download;
    ({ grade } = await gradeSubmission({
      pit,
      zipPath,
      workspace,
      tmpDir,
      config: deps.config,
      stage,
      signal: options.signal,
      sandbox: { sandbox: deps.sandbox, slot, log },
      onRun: (finished) => (run = finished),
      log,
      warnedPits: deps.warnedPits,
      pythonAnalyser: deps.pythonAnalyser,
    }));
  } catch (error) {
    failure = toRunnerError(error, submissionId);
    const decision = options.decide?.(failure) ?? { action: "record" };
    if (decision.action === "retry") retry = decision;
    else log.error({ err: failure, kind: failure.kind, outcome: failure.outcome }, "grading failed");
    grade = errorFeedback(failure.outcome, failure.studentMessage, pitId, Math.round(performance.now() - started));
  }
  if (retry && failure) {
    await stage("cleanup", () => deps.sandbox.cleanup(slot, [workspace, tmpDir], log));
    return { kind: "retry", delaySeconds: retry.delaySeconds, failure, timings: stage.timings };
  }
  // Removing the workspace is not needed for the result; it runs while the log is uploaded and the row written.
  // It starts a turn later: its synchronous slices would otherwise run before the upload request is even sent.
  const recording = record(message, { run, grade, failure }, deps, log, stage);
  // Caught at once: a cleanup failing before the record settles must not become an unhandled rejection.
  const cleanup = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => stage("cleanup", () => deps.sandbox.cleanup(slot, [workspace, tmpDir], log)))
    .catch((error: unknown) => log.warn({ err: error }, "workspace cleanup failed"));
  try {
    return await recording;
  } finally {
    await cleanup;
  }
}

async function record(
  message: SubmissionMessage,
  { run, grade, failure }: { run: RunResult | undefined; grade: GradeResult; failure: RunnerError | undefined },
  deps: PipelineDeps,
  log: Logger,
  stage: Stage,
): Promise<SubmissionOutcome> {
  const { submissionId } = message;
  const logText = buildRunLog(message, run, grade, failure);
  let logsS3Key: string | null = null;
  try {
    logsS3Key = await stage("upload", () => deps.storage.uploadLogs(submissionId, logText));
  } catch (error) {
    // A grade without its log is still worth recording; the student must not wait on S3.
    log.error({ err: error }, "log upload failed; recording the result without a log");
  }

  const recorded = await stage("record", () =>
    deps.submissions.updateSubmissionResult(submissionId, { ...grade, logsS3Key }),
  );
  if (!recorded) {
    log.warn({ event: "lost-race" }, "row was already final; another runner recorded it first");
    return { kind: "skipped", reason: "lost-race", timings: stage.timings };
  }
  log.info(
    { event: "recorded", status: grade.status, score: grade.score, outcome: grade.feedback.outcome },
    "result recorded",
  );
  return {
    kind: "recorded",
    status: grade.status,
    score: grade.score,
    outcome: grade.feedback.outcome,
    logsS3Key,
    timings: stage.timings,
  };
}
