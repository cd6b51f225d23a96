import { cp, mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { MissingFilesError } from "../errors/runner-error";
import type { LoadedPit } from "../pit-config/pit-config.service";

export interface PreparedRun {
  /** The only environment the student's code sees: nothing of the runner's own. */
  env: Record<string, string>;
  home: string;
  /** The run's own TMPDIR, so tools keep their temp files out of the shared /tmp. */
  tmp: string;
}

const BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function checkRequiredFiles(required: string[], workspace: string): Promise<void> {
  const missing: string[] = [];
  for (const file of required) {
    try {
      if (!(await stat(path.join(workspace, file))).isFile()) missing.push(file);
    } catch {
      missing.push(file);
    }
  }
  if (missing.length > 0) throw new MissingFilesError(missing);
}

/**
 * Lays the PIT's template files over the extracted submission (the instructor's tests and build
 * file win over a student's file of the same path) and builds the test process's environment.
 */
export async function prepareWorkspace(pit: LoadedPit, workspace: string, runTmpDir: string): Promise<PreparedRun> {
  // Checked before the template is laid down, so a template file cannot stand in for the student's.
  await checkRequiredFiles(pit.config.requiredFiles ?? [], workspace);
  if (await isDirectory(pit.templateDir)) {
    await cp(pit.templateDir, workspace, { recursive: true, force: true, errorOnExist: false });
  }
  const home = path.join(runTmpDir, "home");
  const tmp = path.join(runTmpDir, "tmp");
  await mkdir(home, { recursive: true });
  await mkdir(tmp, { recursive: true });
  // The runner's own node must stay reachable when it lives outside the usual bin folders.
  const nodeDir = path.dirname(process.execPath);
  const env: Record<string, string> = {
    PATH: BASE_PATH.split(":").includes(nodeDir) ? BASE_PATH : `${nodeDir}:${BASE_PATH}`,
    HOME: home,
    LANG: "C.UTF-8",
    TMPDIR: tmp,
    ...pit.config.environment,
  };
  return { env, home, tmp };
}
