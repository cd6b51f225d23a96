import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";

export interface Identity {
  uid: number;
  gid: number;
}

export interface UidProcesses {
  live: number[];
  /** Run nothing, but count against the uid's RLIMIT_NPROC until reaped. */
  zombies: number[];
}

/**
 * Kernel threads this runner has seen. They make most of a VM's process list, all owned by root, so a scan would
 * otherwise read each one's status every time. Kept by pid and the inode of its /proc entry: a new process that
 * reuses the pid has a new entry, and a kernel thread never becomes a user process.
 */
export class KernelThreads {
  private readonly known = new Map<number, number>();

  has(pid: number, ino: number): boolean {
    return this.known.get(pid) === ino;
  }

  note(pid: number, ino: number, status: string): void {
    const flagged = /^Kthread:\s+(\d)/m.exec(status)?.[1];
    // Kernels before 6.x have no Kthread line: a child of kthreadd without any memory map is one.
    const isKernel = flagged !== undefined ? flagged === "1" : /^PPid:\s+2$/m.test(status) && !/^VmSize:/m.test(status);
    if (isKernel) this.known.set(pid, ino);
    else this.known.delete(pid);
  }
}

/**
 * One pass over /proc for the processes whose real, effective or saved uid is one of `uids`. Read from
 * /proc/<pid>/status rather than the owner of /proc/<pid>, which a process can turn to root by making itself
 * non-dumpable. Synchronous on purpose: a few hundred tiny reads take ~1 ms this way, ~40 ms through the
 * thread pool, and this runs several times per submission.
 */
export function scanProcesses(uids: number[], kernelThreads?: KernelThreads): Map<number, UidProcesses> {
  const result = new Map<number, UidProcesses>(uids.map((uid) => [uid, { live: [], zombies: [] }]));
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    let status: string;
    try {
      // /proc/<pid> belongs to the effective uid, or to root when the process is non-dumpable: only those can
      // match, and a stat is far cheaper than having the kernel render the status text of every process.
      const { uid: owner, ino } = statSync(`/proc/${name}`);
      if (owner !== 0 && !result.has(owner)) continue;
      if (owner === 0 && kernelThreads?.has(pid, ino)) continue;
      status = readFileSync(`/proc/${name}/status`, "latin1");
      if (owner === 0) kernelThreads?.note(pid, ino, status);
    } catch {
      continue; // exited while we looked
    }
    const ids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
    if (!ids) continue;
    const state = /^State:\s+(\S)/m.exec(status)?.[1];
    for (const uid of new Set(ids.slice(1, 4).map(Number))) {
      const entry = result.get(uid);
      if (entry) (state === "Z" || state === "X" ? entry.zombies : entry.live).push(pid);
    }
  }
  return result;
}

/** Live (non-zombie) processes of `uid`. */
export async function processesOf(uid: number): Promise<number[]> {
  return scanProcesses([uid]).get(uid)!.live;
}

function killFromInside(identity: Identity): Promise<void> {
  return new Promise((resolve) => {
    // kill(-1) by a process of that uid reaches every process the uid owns, atomically with respect to fork:
    // the kernel walks the task list under a lock that fork also takes, so a fork bomb cannot outrun it.
    const killer = spawn("/bin/sh", ["-c", "kill -s KILL -- -1"], {
      uid: identity.uid,
      gid: identity.gid,
      stdio: "ignore",
      env: {},
    });
    killer.on("error", () => resolve());
    killer.on("exit", () => resolve());
  });
}

/**
 * Kills every process running as the identity's uid, including ones that left the process group with setsid,
 * and returns what is left: no live pid when it worked, and the zombies PID 1 has yet to reap.
 */
export async function killAllOf(identity: Identity, kernelThreads?: KernelThreads, attempts = 3): Promise<UidProcesses> {
  // A uid of 0 would make kill(-1) hit the whole machine; refuse outright rather than trust the caller.
  if (!Number.isInteger(identity.uid) || identity.uid <= 0 || identity.gid <= 0) {
    throw new Error(`refusing to kill all processes of uid ${identity.uid}`);
  }
  const scan = () => scanProcesses([identity.uid], kernelThreads).get(identity.uid)!;
  let state = scan();
  for (let i = 0; i < attempts && state.live.length > 0; i += 1) {
    await killFromInside(identity);
    // SIGKILL is delivered when the target is next scheduled; give the dying a moment before counting them.
    for (let wait = 0; wait < 25; wait += 1) {
      state = scan();
      if (state.live.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return state;
}
