import { statSync } from "node:fs";
import { cp, lstat, mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { glob, hasMagic } from "glob";
import { rimraf } from "rimraf";
import { MissingFilesError } from "../errors/runner-error";
import type { LoadedPit } from "../pit-config/pit-config.service";
import { runtimeGuardEnv } from "../code-policy/runtime-guard";
import { prepareMavenRun } from "./maven-settings";

export interface PreparedRun {
  /** The only environment the student's code sees: nothing of the runner's own. */
  env: Record<string, string>;
  home: string;
  /** The run's own TMPDIR, so tools keep their temp files out of the shared /tmp. */
  tmp: string;
  /** A per-run secret handed to a runner-owned guard that signs what it saw (Java); kept by the runner. */
  guardKey?: string;
}

const BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function isDirectory(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await lstat(p)).isFile();
  } catch {
    return false;
  }
}

/** An entry is a path or a glob (`src/**\/*.java`); a glob is satisfied by one matching file. */
async function checkRequiredFiles(required: string[], workspace: string): Promise<void> {
  const missing: string[] = [];
  for (const entry of required) {
    const found = hasMagic(entry)
      ? (await glob(entry, { cwd: workspace, nodir: true, follow: false, dot: true, posix: true })).length > 0
      : await isFile(path.join(workspace, entry));
    if (!found) missing.push(entry);
  }
  if (missing.length > 0) throw new MissingFilesError(missing);
}

/**
 * Clears whatever of the student's stands where a template entry goes but is of another kind
 * (a directory named `pom.xml`, a file named `src`, a symlink), so the copy cannot fail or be
 * redirected and the template always wins.
 */
async function clearConflicts(templateDir: string, workspace: string): Promise<void> {
  for (const entry of await readdir(templateDir, { withFileTypes: true })) {
    const target = path.join(workspace, entry.name);
    const existing = await lstat(target).catch(() => null);
    if (!existing) continue;
    if (entry.isDirectory() && existing.isDirectory()) {
      await clearConflicts(path.join(templateDir, entry.name), target);
    } else if (!(entry.isFile() && existing.isFile())) {
      await rimraf(target);
    }
  }
}

/**
 * Lays the PIT's template files over the extracted submission (the instructor's tests and build
 * file win over a student's file of the same path) and builds the test process's environment.
 */
export interface PrepareOptions {
  /** Config.guardsDir. */
  guardsDir: string;
  /** The admitted student files, relative to the workspace. */
  studentFiles: string[];
  /** The template's files, relative (admit/select-files.ts templateFiles, listed once per submission). */
  templateFiles: readonly string[];
  /** The report globs the runner grades, relative to the workspace. */
  reportPaths: string[];
}

export async function prepareWorkspace(
  pit: LoadedPit,
  workspace: string,
  runTmpDir: string,
  options: PrepareOptions,
): Promise<PreparedRun> {
  // Checked before the template is laid down, so a template file cannot stand in for the student's.
  await checkRequiredFiles(pit.config.requiredFiles ?? [], workspace);
  if (isDirectory(pit.templateDir)) {
    await clearConflicts(pit.templateDir, workspace);
    await cp(pit.templateDir, workspace, { recursive: true, force: true, errorOnExist: false });
  }
  const home = path.join(runTmpDir, "home");
  const tmp = path.join(runTmpDir, "tmp");
  // Together, off the event loop: creating a folder can block on the disk (see files/bounded.ts).
  await Promise.all([mkdir(home, { recursive: true }), mkdir(tmp, { recursive: true })]);
  // The runner's own node must stay reachable when it lives outside the usual bin folders.
  const nodeDir = path.dirname(process.execPath);
  const env: Record<string, string> = {
    PATH: BASE_PATH.split(":").includes(nodeDir) ? BASE_PATH : `${nodeDir}:${BASE_PATH}`,
    HOME: home,
    LANG: "C.UTF-8",
    TMPDIR: tmp,
    ...pit.config.environment,
  };
  let guardKey: string | undefined;
  if (pit.config.buildTool === "maven") {
    // After the template overlay, so the runner's .mvn/ replaces whatever the template or the ZIP brought.
    const maven = await prepareMavenRun({ workspace, home, tmp, guardsDir: options.guardsDir, pitMavenOpts: pit.config.environment?.MAVEN_OPTS });
    Object.assign(env, maven.env);
    guardKey = maven.guardKey;
  }
  // Last, so neither the PIT's variables nor anything above can switch the runner's own guard off.
  Object.assign(env, runtimeGuardEnv({ pit, workspace, env, ...options }));
  return { env, home, tmp, ...(guardKey ? { guardKey } : {}) };
}
