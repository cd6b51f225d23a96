import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";

export interface Identity {
  uid: number;
  gid: number;
}

/**
 * Processes whose real, effective or saved uid is `uid`: live ones only, unless `zombies` (which run nothing but
 * still count against the uid's RLIMIT_NPROC until reaped). Read from /proc/<pid>/status rather than the owner
 * of /proc/<pid>, which a process can turn to root by making itself non-dumpable.
 */
export async function processesOf(uid: number, { zombies = false } = {}): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let status: string;
    try {
      status = await readFile(`/proc/${name}/status`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    const uids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
    const state = /^State:\s+(\S)/m.exec(status)?.[1];
    if (!uids || (!zombies && (state === "Z" || state === "X"))) continue;
    if (uids.slice(1, 4).some((u) => Number(u) === uid)) found.push(Number(name));
  }
  return found;
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
 * and returns the pids still alive afterwards (empty when the sweep worked).
 */
export async function killAllOf(identity: Identity, attempts = 3): Promise<number[]> {
  // A uid of 0 would make kill(-1) hit the whole machine; refuse outright rather than trust the caller.
  if (!Number.isInteger(identity.uid) || identity.uid <= 0 || identity.gid <= 0) {
    throw new Error(`refusing to kill all processes of uid ${identity.uid}`);
  }
  let left = await processesOf(identity.uid);
  for (let i = 0; i < attempts && left.length > 0; i += 1) {
    await killFromInside(identity);
    // SIGKILL is delivered when the target is next scheduled; give the dying a moment before counting them.
    for (let wait = 0; wait < 25; wait += 1) {
      left = await processesOf(identity.uid);
      if (left.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return left;
}
