import { chmodSync, lchownSync, lstatSync, readdirSync, type Stats } from "node:fs";
import { rmdir, unlink } from "node:fs/promises";
import path from "node:path";
import { forEachBounded } from "./bounded";
import { Pacer } from "./pacer";

// Unlinks of one folder at once: freeing inodes can block on the disk (see bounded.ts).
const UNLINKS_IN_FLIGHT = 16;

interface Owner {
  uid: number;
  gid: number;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ENOENT";
}

/** Undefined for root, whom modes never stop; otherwise who must own a folder to empty it. */
function nonRootSelf(): Owner | undefined {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  return uid === undefined || gid === undefined || uid === 0 ? undefined : { uid, gid };
}

function lstatOrUndefined(target: string): Stats | undefined {
  try {
    return lstatSync(target);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function ignoreMissing(remove: Promise<void>): Promise<void> {
  try {
    await remove;
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/**
 * Folder by folder, taking each one back first when this process is not root: the student may have left folders
 * at mode 000, or the tree may belong to a sandbox uid (CAP_CHOWN makes it ours, then its mode is ours to set).
 * Symlinks are never followed (lstat, and links are unlinked as files). It runs once every process of the
 * sandbox is dead, so nothing can swap a folder for a link between the check and the chmod.
 */
async function removeFolder(dir: string, info: Stats, self: Owner | undefined, pacer: Pacer): Promise<void> {
  if (self && (info.uid !== self.uid || (info.mode & 0o700) !== 0o700)) {
    if (info.uid !== self.uid) lchownSync(dir, self.uid, self.gid);
    chmodSync(dir, 0o700);
  }
  const entries = readdirSync(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const child = path.join(dir, entry.name);
    const childInfo = lstatOrUndefined(child);
    if (childInfo) await removeFolder(child, childInfo, self, pacer);
    await pacer.step();
  }
  const others = entries.filter((entry) => !entry.isDirectory());
  await forEachBounded(others, UNLINKS_IN_FLIGHT, (entry) => ignoreMissing(unlink(path.join(dir, entry.name))));
  await ignoreMissing(rmdir(dir));
}

/**
 * Removes the given trees (files, folders or links) whatever their owners and modes; missing ones are fine.
 * Listing and taking folders back are synchronous, in paced slices (see Pacer); unlinks go out several at a time.
 */
export async function removeTrees(paths: string[]): Promise<void> {
  const pacer = new Pacer();
  const self = nonRootSelf();
  for (const target of paths) {
    const info = lstatOrUndefined(target);
    if (!info) continue;
    if (info.isDirectory()) await removeFolder(target, info, self, pacer);
    else await ignoreMissing(unlink(target));
  }
}
