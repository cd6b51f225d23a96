import { randomBytes } from "node:crypto";
import { chmodSync, lchownSync, lstatSync, renameSync, type Stats } from "node:fs";
import { rmdir, unlink } from "node:fs/promises";
import path from "node:path";
import { forEachBounded } from "./bounded";
import { folderEntries, tooDeepToEnter } from "./folder-entries";
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

/** Makes a folder ours and open to us, when this process is not root. */
function takeBack(dir: string, info: Stats, self: Owner | undefined): void {
  if (self && (info.uid !== self.uid || (info.mode & 0o700) !== 0o700)) {
    if (info.uid !== self.uid) lchownSync(dir, self.uid, self.gid);
    chmodSync(dir, 0o700);
  }
}

interface Removal {
  self: Owner | undefined;
  pacer: Pacer;
  /** Moves a folder too deep to enter up next to the tree's root, where it is removed in turn. */
  relocate: (dir: string) => void;
}

/**
 * Folder by folder, taking each one back first when this process is not root: the student may have left folders
 * at mode 000, or the tree may belong to a sandbox uid (CAP_CHOWN makes it ours, then its mode is ours to set).
 * Symlinks are never followed (lstat, and links are unlinked as files). The caller runs it only once every
 * process of the sandbox is dead, so nothing can swap a folder for a link between the check and the chmod.
 */
async function removeFolder(dir: string, info: Stats, removal: Removal): Promise<void> {
  takeBack(dir, info, removal.self);
  const folders: string[] = [];
  async function* others() {
    for await (const batch of folderEntries(dir, removal.pacer)) {
      for (const entry of batch) {
        if (entry.isDirectory()) folders.push(entry.name);
        else yield entry.name;
      }
    }
  }
  await forEachBounded(others(), UNLINKS_IN_FLIGHT, (name) => ignoreMissing(unlink(path.join(dir, name))));
  for (const name of folders) {
    const child = path.join(dir, name);
    const childInfo = lstatOrUndefined(child);
    if (!childInfo) continue;
    if (!childInfo.isDirectory()) {
      await ignoreMissing(unlink(child));
    } else if (tooDeepToEnter(child)) {
      // Renaming needs write access to the folder itself (its ".." changes), so it is taken back first.
      takeBack(child, childInfo, removal.self);
      removal.relocate(child);
    } else {
      await removeFolder(child, childInfo, removal);
    }
    await removal.pacer.step();
  }
  await ignoreMissing(rmdir(dir));
}

/** Every removal that failed, after all the others were still attempted. */
export class RemoveTreesError extends AggregateError {
  constructor(failures: unknown[], attempted: number) {
    const first = failures[0] instanceof Error ? `: ${failures[0].message}` : "";
    super(failures, `${failures.length} of ${attempted} removals failed${first}`);
    this.name = "RemoveTreesError";
  }
}

/**
 * Removes the given trees (files, folders or links) whatever their owners, modes and depth; missing ones are fine.
 * Listing and taking folders back are synchronous, in paced slices (see Pacer); unlinks go out several at a time.
 * A folder nested past what a path can name is moved next to its tree's root under a short name of its own
 * (`.rm-<tag>-<n>`, on the same file system, so the root's parent must be writable) and removed from there.
 * A failure does not stop the other paths: they are all attempted, then the failures are thrown together.
 */
export async function removeTrees(paths: string[]): Promise<void> {
  const pacer = new Pacer();
  const self = nonRootSelf();
  const failures: unknown[] = [];
  const folders: string[] = [];
  await forEachBounded(paths, UNLINKS_IN_FLIGHT, async (given) => {
    // Resolved: with a trailing "/", the parent of the root would be the root itself.
    const target = path.resolve(given);
    try {
      const info = lstatOrUndefined(target);
      if (info?.isDirectory()) folders.push(target);
      else if (info) await ignoreMissing(unlink(target));
    } catch (error) {
      failures.push(error);
    }
  });
  for (const target of folders) {
    const pieces = [target];
    const tag = randomBytes(4).toString("hex");
    let relocated = 0;
    const relocate = (dir: string) => {
      // Not named after the root: a root named near NAME_MAX (a student's, in /tmp) leaves no room for a suffix.
      const piece = path.join(path.dirname(target), `.rm-${tag}-${(relocated += 1)}`);
      renameSync(dir, piece);
      pieces.push(piece);
    };
    for (let piece = pieces.shift(); piece !== undefined; piece = pieces.shift()) {
      try {
        const info = lstatOrUndefined(piece);
        if (info) await removeFolder(piece, info, { self, pacer, relocate });
      } catch (error) {
        failures.push(error);
      }
    }
  }
  if (failures.length > 0) throw new RemoveTreesError(failures, paths.length);
}
