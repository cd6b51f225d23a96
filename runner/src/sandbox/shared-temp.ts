import { lstatSync, readdirSync } from "node:fs";
import { lchown } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { removeTrees } from "../files/remove-tree";

/** World-writable folders every process can reach; a student's files there would outlive the workspace. */
export const SHARED_TEMP_DIRS = [...new Set([os.tmpdir(), "/tmp", "/var/tmp", "/dev/shm", "/run/lock"])];

/**
 * Deletes what `uid` left at the top of the shared temp folders. Anything deeper sits under an entry it created
 * (the other entries there are not writable by it), so the top level is enough. Returns the paths removed.
 */
export async function sweepSharedTemp(uid: number, dirs: string[] = SHARED_TEMP_DIRS): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of dirs) {
    // Synchronous: a few dozen lstat calls, far cheaper than a thread-pool round trip each.
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const entry = path.join(dir, name);
      try {
        if (lstatSync(entry).uid === uid) removed.push(entry);
      } catch {
        // vanished meanwhile
      }
    }
  }
  // These folders are sticky: only an entry's owner may delete it, so take ownership first (CAP_CHOWN, not CAP_FOWNER).
  const uidSelf = process.getuid?.() ?? 0;
  const gidSelf = process.getgid?.() ?? 0;
  for (const entry of removed) await lchown(entry, uidSelf, gidSelf).catch(() => undefined);
  if (removed.length > 0) await removeTrees(removed);
  return removed;
}
