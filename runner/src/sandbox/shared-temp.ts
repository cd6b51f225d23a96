import { lchownSync, lstatSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { folderEntries } from "../files/folder-entries";
import { Pacer } from "../files/pacer";
import { removeTrees } from "../files/remove-tree";

function lchownSafe(entry: string, uid: number, gid: number): void {
  try {
    lchownSync(entry, uid, gid);
  } catch {
    // reported by the removal
  }
}

/** World-writable folders every process can reach; a student's files there would outlive the workspace. */
export const SHARED_TEMP_DIRS = [...new Set([os.tmpdir(), "/tmp", "/var/tmp", "/dev/shm", "/run/lock"])];

/**
 * Deletes what `uid` left at the top of the shared temp folders. Anything deeper sits under an entry it created
 * (the other entries there are not writable by it), so the top level is enough. Returns the paths removed.
 */
export async function sweepSharedTemp(uid: number, dirs: string[] = SHARED_TEMP_DIRS): Promise<string[]> {
  const removed: string[] = [];
  const pacer = new Pacer();
  // These folders are sticky: only an entry's owner may delete it, so take ownership first (CAP_CHOWN, not CAP_FOWNER).
  const uidSelf = process.getuid?.() ?? 0;
  const gidSelf = process.getgid?.() ?? 0;
  for (const dir of dirs) {
    try {
      // Paced: a student may have left hundreds of thousands of entries here.
      for await (const batch of folderEntries(dir, pacer)) {
        for (const { name } of batch) {
          const entry = path.join(dir, name);
          try {
            if (lstatSync(entry).uid !== uid) continue;
          } catch {
            continue; // vanished meanwhile
          }
          removed.push(entry);
          // If this fails, the removal below fails too and says why.
          lchownSafe(entry, uidSelf, gidSelf);
        }
      }
    } catch {
      continue;
    }
  }
  if (removed.length > 0) await removeTrees(removed);
  return removed;
}
