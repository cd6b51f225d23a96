import { realpathSync } from "node:fs";
import path from "node:path";
import type { LoadedPit } from "../pit-config/pit-config.service";
import { nodeGuardEnv } from "./javascript/node-guard";
import { isJavaScriptPit, JS_EXTENSIONS } from "./javascript/js-rules";
import { pythonGuardEnv } from "./python/python-guard";
import { isPythonPit } from "./python/python-rules";

export interface GuardInput {
  pit: LoadedPit;
  workspace: string;
  studentFiles: string[];
  /** The template's files, relative (posix): listed once per submission by the pipeline, not again here. */
  templateFiles: readonly string[];
  /** Globs of the reports the runner will grade, relative to the workspace. */
  reportPaths: string[];
  /** Runner-owned guard files (Config.guardsDir), readable by the sandbox uids. */
  guardsDir: string;
  /** The run's environment so far (PATH, HOME, the PIT's own variables). */
  env: Record<string, string>;
}

/**
 * The runtime layer of the code policy: the variables that make the test process load the runner's own guard
 * before any student module (Python: sitecustomize.py's audit hook and import guard plus a pytest plugin; Node:
 * a --require preload that freezes node:assert, node:test and the loader). Merged over `env` by prepare, last,
 * so neither the PIT's environment nor anything else can switch it off. {} for other languages.
 */
function realRoot(workspace: string): string {
  try {
    return realpathSync(path.resolve(workspace));
  } catch {
    return path.resolve(workspace);
  }
}

export function runtimeGuardEnv(input: GuardInput): Record<string, string> {
  const { pit } = input;
  // Resolved: the interpreters name the student's files by their real paths (Node's loader always, Python's often).
  const common = { RUNNER_GUARD_ROOT: realRoot(input.workspace) };
  if (isPythonPit(pit.config)) return { ...common, ...pythonGuardEnv(input) };
  if (isJavaScriptPit(pit.config)) return { ...common, ...nodeGuardEnv(input, JS_EXTENSIONS) };
  return {};
}
