import { chmodSync, lchownSync, lstatSync, readdirSync, rmdirSync, unlinkSync, type Stats } from "node:fs";
import path from "node:path";
import { Pacer } from "./pacer";

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

function ignoreMissing(remove: () => void): void {
  try {
    remove();
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
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const childInfo = lstatOrUndefined(child);
      if (childInfo) await removeFolder(child, childInfo, self, pacer);
    } else {
      ignoreMissing(() => unlinkSync(child));
    }
    await pacer.step();
  }
  ignoreMissing(() => rmdirSync(dir));
}

/**
 * Removes the given trees (files, folders or links) whatever their owners and modes; missing ones are fine.
 * Synchronous calls in paced slices (see Pacer) rather than rimraf's thread-pool round trip per entry.
 */
export async function removeTrees(paths: string[]): Promise<void> {
  const pacer = new Pacer();
  const self = nonRootSelf();
  for (const target of paths) {
    const info = lstatOrUndefined(target);
    if (!info) continue;
    if (info.isDirectory()) await removeFolder(target, info, self, pacer);
    else ignoreMissing(() => unlinkSync(target));
  }
}
