import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";
import type { Identity } from "./identity-processes";
import type { NetworkPolicy, ResourceLimits } from "./sandbox-settings";

/** The launcher's place under Config.guardsDir; built from guards/launcher/runner-launcher.c, never committed. */
export function launcherPath(guardsDir: string): string {
  return path.join(guardsDir, "launcher", "runner-launcher");
}

/** A launcher that installed its filter at startup; `scoped`: Landlock also closes abstract AF_UNIX sockets. */
export interface Launcher {
  path: string;
  scoped: boolean;
}

/** The OOM killer should pick the student's processes, never the runner (the launcher writes oom_score_adj). */
const OOM_SCORE_ADJ = 1000;

/**
 * The limits as prlimit's options, which the launcher takes with the same spelling; RLIMIT_NPROC only for a uid of
 * the run's own, since under the runner's uid it would count the runner's threads.
 */
export function limitArgs(limits: ResourceLimits, perRunUid: boolean): string[] {
  const args = [
    `--cpu=${limits.cpuSeconds}`,
    `--as=${limits.memoryBytes}`,
    `--fsize=${limits.fileBytes}`,
    `--nofile=${limits.openFiles}`,
    "--core=0",
  ];
  if (perRunUid) args.push(`--nproc=${limits.processes}`);
  return args;
}

/** The launcher's argv up to and including `--`: the limits, oom_score_adj and the network policy. */
export function launcherArgs(launcher: string, limits: ResourceLimits, perRunUid: boolean, network: NetworkPolicy): string[] {
  return [launcher, ...limitArgs(limits, perRunUid), `--oom-score-adj=${OOM_SCORE_ADJ}`, `--network=${network}`, "--"];
}

/**
 * Why the launcher's file cannot be trusted, if it cannot: a sandbox uid that could replace it, or any folder
 * above it, would run its own code in place of the filter (uids from uidBase up count as the sandbox's). World-writable folders count only without the
 * sticky bit (/tmp: others cannot rename what they do not own).
 */
function untrusted(file: string, uidBase: number): string | undefined {
  for (let current = file; ; current = path.dirname(current)) {
    const st = statSync(current);
    const sticky = (st.mode & 0o1000) !== 0;
    // The owner can always chmod; a group only matters when it may write (slot uids have only their own gid).
    if (st.uid >= uidBase) return `${current} belongs to uid ${st.uid}, in the sandbox range`;
    if (st.gid >= uidBase && (st.mode & 0o020) !== 0) return `${current} is writable by gid ${st.gid}, in the sandbox range`;
    if ((st.mode & 0o002) !== 0 && !(st.isDirectory() && sticky)) return `${current} is writable by others`;
    if (current === path.dirname(current)) return undefined;
  }
}

export type LauncherProbe = ({ ok: true } & Launcher) | { ok: false; problem: string };

/**
 * Runs the launcher once as a sandbox run would (same limits, as `identity`), with itself as the program in
 * its `--try-inet` mode: after the exec, socket(AF_INET) must fail with EACCES and socket(AF_UNIX) must work.
 * So this checks the filter as the student's command will inherit it, not only that the binary exists.
 */
export function probeLauncher(file: string, limits: ResourceLimits, uidBase: number, identity?: Identity): LauncherProbe {
  try {
    const problem = untrusted(file, uidBase);
    if (problem) return { ok: false, problem };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: `${file} is ${code === "ENOENT" ? "missing (build it: make -C runner/guards/launcher)" : `unreadable (${code})`}` };
  }
  const argv = [...launcherArgs(file, limits, !!identity, "deny"), file, "--try-inet"];
  argv.splice(argv.indexOf("--"), 0, "--report");
  const probe = spawnSync(argv[0]!, argv.slice(1), { uid: identity?.uid, gid: identity?.gid, encoding: "utf8", env: {}, cwd: "/", timeout: 5000 });
  const said = `${probe.stderr ?? ""}`.trim() || (probe.error ? probe.error.message : `exit ${probe.status ?? probe.signal}`);
  if (probe.status !== 0) return { ok: false, problem: `${file} failed: ${said}` };
  if (!/^inet: EACCES$/m.test(probe.stdout) || !/^unix: allowed$/m.test(probe.stdout)) {
    return { ok: false, problem: `${file} did not refuse AF_INET sockets (${probe.stdout.trim().replace(/\n/g, ", ")})` };
  }
  return { ok: true, path: file, scoped: /scoped \(landlock\)/.test(said) };
}
