import { chmodSync, lchownSync, lstatSync } from "node:fs";
import path from "node:path";
import { folderEntries, tooDeepToEnter } from "../files/folder-entries";
import type { Pacer } from "../files/pacer";
import type { Identity } from "./identity-processes";

/**
 * Lists a folder, changing each non-folder entry's owner as it is read; returns the sub-folders that can be
 * entered. A folder nested too deep to name (see folder-entries.ts) keeps its owner: nothing under it can be a
 * report a pattern reaches, and removal moves it up before it deletes it.
 */
async function ownEntries(dir: string, { uid, gid }: Identity, pacer: Pacer): Promise<string[]> {
  const folders: string[] = [];
  for await (const batch of folderEntries(dir, pacer)) {
    for (const entry of batch) {
      const child = path.join(dir, entry.name);
      if (!entry.isDirectory()) lchownSync(child, uid, gid);
      else if (!tooDeepToEnter(child)) folders.push(child);
    }
  }
  return folders;
}

/** Children first: once a 0700 folder is handed over, a runner without CAP_DAC_OVERRIDE can no longer list it. */
export async function chownTree(root: string, identity: Identity, pacer: Pacer): Promise<void> {
  for (const folder of await ownEntries(root, identity, pacer)) await chownTree(folder, identity, pacer);
  lchownSync(root, identity.uid, identity.gid);
}

/** Parents first, so a folder the student locked (0700, 000) becomes the runner's and readable before it is entered. */
export async function reclaimTree(root: string, identity: Identity, pacer: Pacer): Promise<void> {
  lchownSync(root, identity.uid, identity.gid);
  chmodSync(root, (lstatSync(root).mode & 0o7777) | 0o700);
  for (const folder of await ownEntries(root, identity, pacer)) await reclaimTree(folder, identity, pacer);
}
