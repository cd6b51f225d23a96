import { spawnSync } from "node:child_process";
import type { ResourceLimits } from "./sandbox-settings";

/**
 * The limits as `ulimit` calls of Debian's /bin/sh (dash): one limit per call, `-f` in 512-byte blocks, `-v` in
 * KiB, `-p` for processes; without -H or -S both the soft and the hard limit are set, so the student cannot raise
 * them again. Set inside the `/bin/sh -c` that runs the command anyway, they save the exec of prlimit on every run.
 */
export function ulimitScript(limits: ResourceLimits, perRunUid: boolean): string {
  const calls = [
    `ulimit -t ${limits.cpuSeconds}`,
    `ulimit -v ${Math.floor(limits.memoryBytes / 1024)}`,
    `ulimit -f ${Math.floor(limits.fileBytes / 512)}`,
    `ulimit -n ${limits.openFiles}`,
    "ulimit -c 0",
  ];
  // RLIMIT_NPROC only for a uid of the run's own: under the runner's uid it would count the runner's threads.
  if (perRunUid) calls.push(`ulimit -p ${limits.processes}`);
  return calls.join(" && ");
}

const PROBE: ResourceLimits = { cpuSeconds: 7, memoryBytes: 1024 ** 3, fileBytes: 1024 ** 2, processes: 55, openFiles: 77 };

/** The soft and hard values of /proc/<pid>/limits lines, by the kernel's name for the limit. */
export function parseProcLimits(text: string): Map<string, [string, string]> {
  const limits = new Map<string, [string, string]>();
  for (const line of text.split("\n").slice(1)) {
    const match = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (match?.[1] && match[2] && match[3]) limits.set(match[1], [match[2], match[3]]);
  }
  return limits;
}

/**
 * Whether /bin/sh's `ulimit` sets exactly what `ulimitScript` means (another shell's flags or units differ: bash's
 * -p is the pipe size). Checked once at startup on a child's /proc/self/limits; when it does not, prlimit is used.
 */
export function shellAppliesLimits(): boolean {
  const probe = spawnSync("/bin/sh", ["-c", `${ulimitScript(PROBE, true)} && cat /proc/self/limits`], {
    encoding: "utf8",
    timeout: 5000,
    env: {},
  });
  if (probe.status !== 0) return false;
  const seen = parseProcLimits(probe.stdout);
  const want: [string, number][] = [
    ["Max cpu time", PROBE.cpuSeconds],
    ["Max address space", PROBE.memoryBytes],
    ["Max file size", PROBE.fileBytes],
    ["Max open files", PROBE.openFiles],
    ["Max core file size", 0],
    ["Max processes", PROBE.processes],
  ];
  return want.every(([name, value]) => {
    const pair = seen.get(name);
    return pair?.[0] === String(value) && pair[1] === String(value);
  });
}
