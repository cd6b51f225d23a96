import type { LoadedPit } from "../pit-config/pit-config.service";

export interface GuardInput {
  pit: LoadedPit;
  workspace: string;
  studentFiles: string[];
  /** Globs of the reports the runner will grade, relative to the workspace. */
  reportPaths: string[];
  /** Runner-owned guard files (Config.guardsDir), readable by the sandbox uids. */
  guardsDir: string;
  /** The run's environment so far (PATH, HOME, the PIT's own variables). */
  env: Record<string, string>;
}

/**
 * The runtime layer of the code policy: the variables that make the test process load the runner's own guard
 * before any student module (Python audit hook, Node preload). Merged over `env` by prepare.
 * PLACEHOLDER until the Python/Node code-policy work lands: no guard yet.
 */
export function runtimeGuardEnv(_input: GuardInput): Record<string, string> {
  return {};
}
