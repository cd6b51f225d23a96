import { chmod, chown, lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { rimraf } from "rimraf";

/**
 * Gives every folder under `root` back to this process (owner, mode 0700) so it can be emptied: the student may
 * have left folders at mode 000, or the tree may belong to a sandbox uid. Symlinks are never followed (lstat,
 * and only folders are touched), and it runs after every process of the sandbox is dead, so nothing can swap
 * a folder for a link between the check and the chmod.
 */
async function reclaim(root: string): Promise<void> {
  let info;
  try {
    info = await lstat(root);
  } catch {
    return;
  }
  if (!info.isDirectory()) return;
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid !== undefined && gid !== undefined && info.uid !== uid) await chown(root, uid, gid);
  if ((info.mode & 0o700) !== 0o700) await chmod(root, 0o700);
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return;
  }
  for (const name of names) await reclaim(path.join(root, name));
}

/**
 * Removes the given trees whatever their owners and modes. The cheap path first: as root, or when the student
 * changed no modes, a plain recursive delete works and the tree is walked only once.
 */
export async function removeTrees(paths: string[]): Promise<void> {
  try {
    await rimraf(paths);
    return;
  } catch {
    // fall through: reclaim what blocked us, then try again
  }
  for (const p of paths) await reclaim(p);
  await rimraf(paths);
}
