import { spawnSync } from "node:child_process";
import type { Identity } from "./identity-processes";

/** The folders a sandboxed run may write: its workspace, HOME and TMPDIR. Everything else is read-only. */
export interface BwrapPaths {
  workspace: string;
  writable: string[];
  /**
   * Runner-owned folders the run reads (the guards: the launcher, the language guards): bound again, read-only,
   * after the private /tmp, or a runner installed under /tmp would run its tests without them.
   */
  readOnly?: string[];
}

/**
 * bubblewrap's arguments: new user, PID, network, IPC, UTS and cgroup namespaces, the host file system read-only
 * (permissions still apply inside), private /tmp, /var/tmp and /dev/shm, and only the run's own folders writable.
 * The writable binds come after the tmpfs mounts, since the workspace usually lives under /tmp.
 */
export function bwrapArgs(bwrap: string, paths: BwrapPaths): string[] {
  const args = [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"];
  for (const dir of ["/tmp", "/var/tmp", "/dev/shm"]) args.push("--tmpfs", dir);
  for (const dir of paths.readOnly ?? []) args.push("--ro-bind", dir, dir);
  for (const dir of [paths.workspace, ...paths.writable]) args.push("--bind", dir, dir);
  args.push("--chdir", paths.workspace, "--");
  return args;
}

/** Whether bubblewrap can build its namespaces as `identity` here (it cannot on Fargate: no user namespaces). */
export function bwrapWorks(bwrap: string, identity: Identity): boolean {
  const probe = spawnSync(bwrap, ["--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--", "/bin/true"], {
    uid: identity.uid,
    gid: identity.gid,
    stdio: "ignore",
    cwd: "/",
    env: {},
    timeout: 10_000,
  });
  return probe.status === 0;
}
