import { bwrapArgs, bwrapWorks, type BwrapPaths } from "./bwrap";
import { canSwitchUsers, findTool } from "./host-support";
import { launcherArgs, launcherPath, limitArgs, probeLauncher, type Launcher } from "./launcher";
import type { NetworkPolicy, ResourceLimits, SandboxSettings } from "./sandbox-settings";
import { shellAppliesLimits, ulimitScript } from "./shell-limits";

export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxUnavailableError";
  }
}

export interface HostTools {
  canSwitchUsers: boolean;
  /** /bin/sh's `ulimit` sets the limits exactly as meant (see shell-limits.ts): no prlimit exec per run. */
  shellLimits?: boolean;
  prlimit?: string;
  setpriv?: string;
  bwrap?: string;
  /** The runner's launcher (launcher.ts), probed at startup: limits, no_new_privs and the seccomp filter in one exec. */
  launcher?: Launcher;
  /** Why there is no launcher, for the startup error or warning. */
  launcherProblem?: string;
}

/** Probes the launcher as the first sandbox uid when the runner can switch to it, so its modes are checked too. */
export function detectHostTools(settings: SandboxSettings): HostTools {
  const switchUsers = canSwitchUsers();
  const asSlot = switchUsers && settings.mode !== "none" ? { uid: settings.uidBase, gid: settings.uidBase } : undefined;
  const probe = probeLauncher(launcherPath(settings.guardsDir), settings.limits, settings.uidBase, asSlot);
  return {
    canSwitchUsers: switchUsers,
    shellLimits: shellAppliesLimits(),
    prlimit: findTool("prlimit"),
    setpriv: findTool("setpriv"),
    bwrap: findTool("bwrap"),
    ...(probe.ok ? { launcher: { path: probe.path, scoped: probe.scoped } } : { launcherProblem: probe.problem }),
  };
}

export type ResolvedMode = "bwrap" | "uid" | "none";

/** `uid` and `bwrap` fail closed: a runner asked for isolation never runs student code without it. */
export function resolveMode(settings: SandboxSettings, tools: HostTools): ResolvedMode {
  const uidPossible = tools.canSwitchUsers && process.platform === "linux";
  if (settings.mode === "none" || (settings.mode === "auto" && !uidPossible)) return "none";
  const requested = `RUNNER_SANDBOX=${settings.mode}`;
  if (!uidPossible) {
    throw new SandboxUnavailableError(`${requested} needs root or the capabilities CAP_SETUID, CAP_SETGID, CAP_CHOWN and CAP_KILL`);
  }
  if (settings.mode !== "auto" && !tools.launcher) {
    throw new SandboxUnavailableError(
      `${requested} needs the sandbox launcher, which installs the network and system-call filter: ${tools.launcherProblem ?? "not found"}`,
    );
  }
  if (settings.mode !== "bwrap") {
    if (!tools.launcher && !tools.prlimit && !tools.shellLimits) {
      throw new SandboxUnavailableError(`${requested} needs prlimit (util-linux) or a /bin/sh whose ulimit sets the limits`);
    }
    return "uid";
  }
  if (!tools.prlimit) throw new SandboxUnavailableError(`${requested} needs prlimit (util-linux) for resource limits`);
  const probeAs = { uid: settings.uidBase, gid: settings.uidBase };
  if (!tools.bwrap || !bwrapWorks(tools.bwrap, probeAs)) {
    throw new SandboxUnavailableError(`${requested} needs a bubblewrap that can create user namespaces (not on Fargate)`);
  }
  return "bwrap";
}

/**
 * bwrap needs prlimit before it: the process limit in force when the user namespace is created caps the whole
 * namespace (the launcher inside sets the same limits again, harmlessly). Otherwise the launcher sets them, or
 * failing that the shell that runs the command, or prlimit.
 */
export function limitsBy(mode: ResolvedMode, tools: HostTools): "launcher" | "shell" | "prlimit" | "none" {
  if (mode === "bwrap") return tools.prlimit ? "prlimit" : "none";
  if (tools.launcher) return "launcher";
  if (tools.shellLimits) return "shell";
  return tools.prlimit ? "prlimit" : "none";
}

export { limitArgs };

// Without the launcher: the OOM killer should still pick the student's processes, never the runner.
const PRELUDE = "{ echo 1000 > /proc/self/oom_score_adj; } 2>/dev/null; ";

export interface RunShape {
  mode: ResolvedMode;
  limits: ResourceLimits;
  perRunUid: boolean;
  network: NetworkPolicy;
  /** bwrap mode: the run's folders. */
  bwrap?: BwrapPaths;
}

/**
 * The argv that runs `command`. With the launcher: `launcher ... -- /bin/sh -c command`, one exec before the
 * shell (inside bwrap in bwrap mode, whose own network namespace stays). Without: `setpriv --no-new-privs`,
 * then prlimit or the shell's ulimit, as before the launcher existed.
 */
export function commandArgv(tools: HostTools, shape: RunShape, command: string): string[] {
  const { mode, limits, perRunUid } = shape;
  const by = limitsBy(mode, tools);
  const wrapper: string[] = [];
  if (mode === "bwrap" || !tools.launcher) {
    if (tools.setpriv) wrapper.push(tools.setpriv, "--no-new-privs", "--");
    if (by === "prlimit" && tools.prlimit) wrapper.push(tools.prlimit, ...limitArgs(limits, perRunUid), "--");
    if (mode === "bwrap" && shape.bwrap && tools.bwrap) wrapper.push(...bwrapArgs(tools.bwrap, shape.bwrap));
  }
  if (tools.launcher) return [...wrapper, ...launcherArgs(tools.launcher.path, limits, perRunUid, shape.network), "/bin/sh", "-c", command];
  // Fail closed: a run whose limits could not be set does not run at all.
  const shellLimits =
    by === "shell" ? `${ulimitScript(limits, perRunUid)} || { echo "runner: the resource limits could not be set" >&2; exit 125; }; ` : "";
  return [...wrapper, "/bin/sh", "-c", PRELUDE + shellLimits + command];
}
