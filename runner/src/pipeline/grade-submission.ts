import type { Logger } from "pino";
import type { Config } from "../config";
import { selectStudentFiles, templateFiles } from "../admit/select-files";
import { checkSource } from "../code-policy/check-source";
import type { PythonAnalyser } from "../code-policy/python/python-analyser";
import { GUARD_MARKER } from "../code-policy/java/guard-records";
import { verifyCompiledClasses } from "../code-policy/java/verify-classes";
import { CodePolicyError, RunnerError } from "../errors/runner-error";
import type { RunResult } from "../execute/run-command";
import { runSteps } from "../execute/run-steps";
import { extractZip } from "../extract/extract-zip";
import type { GradeResult } from "../grading/feedback";
import { readReports, removeStaleReports, reportPathsFor } from "../grading/report-files";
import { templateTestMatcher } from "../grading/counted-tests";
import type { ParsedTestCase } from "../grading/junit-xml";
import { gradeReports } from "../grading/report-grader";
import type { LoadedPit } from "../pit-config/pit-config.service";
import { checkTemplateImports } from "../pit-config/template-imports";
import { prepareWorkspace } from "../prepare/prepare-workspace";
import type { Sandbox } from "../sandbox/sandbox";
import type { Stage } from "./stage";

export interface GradeSubmissionInput {
  pit: LoadedPit;
  zipPath: string;
  /** Emptied, then filled with the submission and the PIT's template; the caller removes it afterwards. */
  workspace: string;
  tmpDir: string;
  config: Pick<Config, "maxLogBytes" | "killGraceMs" | "guardsDir"> & Partial<Pick<Config, "extractLimits">>;
  /** Who runs the test command and under which limits; without it, the runner's own user (local tools only). */
  sandbox?: { sandbox: Sandbox; slot: number; log: Logger };
  stage: Stage;
  signal?: AbortSignal;
  /** Sees the run as soon as it ends, so the caller can keep its output even when grading then fails. */
  onRun?: (run: RunResult) => void;
  /** Told about reports that could not be graded, PITs without recorded tests, and environment failures. */
  log?: Pick<Logger, "warn" | "error">;
  /** PITs already warned about having no recorded expected tests: one warning per PIT, not per submission. */
  warnedPits?: Set<string>;
  /** The static check's Python worker, kept by the runner; without it, one is started for this submission. */
  pythonAnalyser?: PythonAnalyser;
}

export interface GradedSubmission {
  run: RunResult;
  grade: GradeResult;
  /** The counted tests as reported, uncleaned. */
  counted: ParsedTestCase[];
}

/**
 * The stages every grading goes through, whoever asks (the queue pipeline or `npm run try:pit`):
 * extract, prepare, run, grade. Failures throw typed RunnerErrors; a failing test is a grade.
 */
export async function gradeSubmission(input: GradeSubmissionInput): Promise<GradedSubmission> {
  const { pit, workspace, stage } = input;
  const { sandbox } = input;
  const template = templateFiles(pit.templateDir);
  // A template whose tests take their names from the solution (`from shapes import *`) cannot be graded honestly.
  checkTemplateImports(pit, template);
  // Only the files the PIT lets a submission contribute are written; the rest never reach the disk.
  const { admission } = await stage("extract", () =>
    extractZip(input.zipPath, workspace, input.config.extractLimits, selectStudentFiles(pit, template)),
  );
  const { studentFiles } = admission;
  // Before anything runs, on the files as extracted: nothing the submission does can interfere with the check.
  const sourceFindings = await stage("check-source", () => checkSource({ pit, workspace, studentFiles, python: input.pythonAnalyser }));
  if (sourceFindings.length > 0) throw new CodePolicyError(sourceFindings);
  const reportPaths = reportPathsFor(pit.config.buildTool, pit.config.reportPaths);
  const prepared = await stage("prepare", async () => {
    const ready = await prepareWorkspace(pit, workspace, input.tmpDir, { studentFiles, templateFiles: template, reportPaths, guardsDir: input.config.guardsDir });
    // Before the workspace is handed to the sandbox uid: reports shipped in the ZIP are never graded.
    await removeStaleReports(workspace, reportPaths);
    const privateDirs = [ready.home, ready.tmp];
    await sandbox?.sandbox.enter(sandbox.slot, { workspace, runTmpDir: input.tmpDir, privateDirs }, sandbox.log);
    return ready;
  });
  const steps = await stage("run", () =>
    runSteps(pit.config.setupCommands ?? [], pit.config.testCommand, {
      cwd: workspace,
      env: prepared.env,
      timeoutMs: pit.config.maxTimeoutMs,
      maxOutputBytes: input.config.maxLogBytes,
      killGraceMs: input.config.killGraceMs,
      signal: input.signal,
      launch: sandbox?.sandbox.launch(sandbox.slot, { network: pit.config.network }),
      // The Java guard's signed records, kept apart from the capped log so that output cannot push them out.
      ...(prepared.guardKey ? { keepLinesStartingWith: GUARD_MARKER } : {}),
    }),
  );
  const { run } = steps;
  input.onRun?.(run);
  if (run.aborted) {
    throw new RunnerError("Grading was interrupted by a runner shutdown", {
      kind: "transient",
      outcome: "internal_error",
      studentMessage: "Grading was interrupted. Your submission will be graded again.",
    });
  }
  const graded = await stage("grade", async () => {
    await sandbox?.sandbox.reclaim(sandbox.slot, workspace);
    // Compiled output is checked once nothing of the student's runs any more (Java: constant pools).
    const java = await verifyCompiledClasses({
      pit,
      workspace,
      studentFiles,
      guardLines: run.markedLines ?? "",
      guardLinesLost: run.markedLinesTruncated === true,
      guardKey: prepared.guardKey,
    });
    if (java.findings.length > 0) throw new CodePolicyError(java.findings);
    // The guard did not report (a JUnit 4 PIT, a pom with its own additionalClasspathElements: the XML is graded),
    // it started but its records are incomplete (nothing is graded), or forged lines were seen.
    if (java.warnings) input.log?.warn({ event: "java-guard", warnings: java.warnings }, "Java guard warnings");
    const { expectedTests, disabledTests } = pit.config;
    if (!expectedTests && input.warnedPits && !input.warnedPits.has(pit.pitId)) {
      input.warnedPits.add(pit.pitId);
      input.log?.warn(
        { event: "expected-tests-not-recorded", pitId: pit.pitId },
        `PIT ${pit.pitId} has no recorded expected tests: only the template's own tests count. Record them with npm run try:pit -- ${pit.pitId} <reference> --record`,
      );
    }
    try {
      return gradeReports({
        run,
        setupFailure: steps.failedSetup,
        // The XML is not read at all when the guard vouched for the results: a rewritten report changes nothing.
        reports: java.results ? { files: [], skipped: [] } : await readReports(workspace, reportPaths),
        trustedCases: java.results,
        expectation: { expected: expectedTests, disabled: disabledTests, isTemplateTest: templateTestMatcher(pit.config.buildTool, template) },
        compiled: { student: new Set(studentFiles), template: new Set(template) },
        ignored: admission.ignored,
        workspace,
        pitId: pit.pitId,
        grading: pit.config.grading,
      });
    } catch (error) {
      if (error instanceof RunnerError) input.log?.error({ event: "not-gradable", err: error, kind: error.kind }, error.message);
      throw error;
    }
  });
  if (graded.problems.length > 0) {
    input.log?.warn({ event: "report-problems", problems: graded.problems }, "some test reports were not graded");
  }
  return { run, grade: { status: graded.status, score: graded.score, feedback: graded.feedback }, counted: graded.counted };
}
