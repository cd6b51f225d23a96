import path from "node:path";

/**
 * `uid`: each concurrency slot runs as its own unprivileged uid (needs root or CAP_SETUID/SETGID/CHOWN/KILL);
 * startup fails if that is not possible. `bwrap`: `uid` plus bubblewrap namespaces (network, PIDs, IPC, private
 * /tmp); needs user namespaces, so not on Fargate. `none`: runs as the runner's own user (development only).
 * `auto`: `uid` when the process can switch users, otherwise `none` with a warning.
 */
export const SANDBOX_MODES = ["auto", "uid", "bwrap", "none"] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/**
 * `deny`: the launcher's seccomp filter refuses every socket family but AF_UNIX (no TCP, UDP, DNS, raw, packet,
 * netlink or vsock). `allow`: sockets as the host allows them (an exercise that runs a server on localhost).
 */
export const NETWORK_POLICIES = ["deny", "allow"] as const;
export type NetworkPolicy = (typeof NETWORK_POLICIES)[number];

/** Per-process rlimits of the test process and everything it starts (RLIMIT_NPROC counts per uid). */
export interface ResourceLimits {
  cpuSeconds: number;
  /** Address space. The JVM reserves much of it up front: Maven failed to start at 4 GiB and ran at 6 GiB. */
  memoryBytes: number;
  fileBytes: number;
  processes: number;
  openFiles: number;
}

export interface SandboxSettings {
  mode: SandboxMode;
  /** Slot n runs as uid and gid `uidBase + n`; the range must not belong to anyone else on the host. */
  uidBase: number;
  limits: ResourceLimits;
  /** The default for PITs that do not set `network` (RUNNER_SANDBOX_NETWORK). */
  network: NetworkPolicy;
  /** Config.guardsDir: the launcher is `<guardsDir>/launcher/runner-launcher`. */
  guardsDir: string;
}

export const DEFAULT_SANDBOX: SandboxSettings = {
  mode: "auto",
  uidBase: 10_000,
  limits: {
    cpuSeconds: 600,
    memoryBytes: 8 * 1024 * 1024 * 1024,
    fileBytes: 256 * 1024 * 1024,
    processes: 256,
    openFiles: 4096,
  },
  network: "deny",
  // runner/guards, from src/sandbox or dist/sandbox alike.
  guardsDir: path.resolve(__dirname, "..", "..", "guards"),
};
