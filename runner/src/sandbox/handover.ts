import { chmodSync, lchownSync, lstatSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Pacer } from "../files/pacer";
import type { Identity } from "./identity-processes";

/** Children first: once a 0700 folder is handed over, a runner without CAP_DAC_OVERRIDE can no longer list it. */
export async function chownTree(root: string, { uid, gid }: Identity, pacer: Pacer): Promise<void> {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const child = path.join(root, entry.name);
    if (entry.isDirectory()) await chownTree(child, { uid, gid }, pacer);
    else lchownSync(child, uid, gid);
    await pacer.step();
  }
  lchownSync(root, uid, gid);
}

/** Parents first, so a folder the student locked (0700, 000) becomes the runner's and readable before it is entered. */
export async function reclaimTree(root: string, { uid, gid }: Identity, pacer: Pacer): Promise<void> {
  lchownSync(root, uid, gid);
  chmodSync(root, (lstatSync(root).mode & 0o7777) | 0o700);
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const child = path.join(root, entry.name);
    if (entry.isDirectory()) await reclaimTree(child, { uid, gid }, pacer);
    else lchownSync(child, uid, gid);
    await pacer.step();
  }
}
