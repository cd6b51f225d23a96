import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmdirSync, symlinkSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RUNNER_ROOT } from "../config";
import { removeTrees } from "./remove-tree";

const NOBODY = 65534;

async function lockedTree(): Promise<{ root: string; outside: string }> {
  const base = await mkdtemp(path.join(os.tmpdir(), "remove-tree-"));
  await chmod(base, 0o755);
  const root = path.join(base, "tree");
  const outside = path.join(base, "outside.txt");
  await writeFile(outside, "keep me");
  await mkdir(path.join(root, "a", "b"), { recursive: true });
  await writeFile(path.join(root, "a", "b", "f"), "x");
  await writeFile(path.join(root, "top.txt"), "y");
  // A link must be removed as a link: the file it points at stays.
  symlinkSync(outside, path.join(root, "a", "link"));
  await chmod(path.join(root, "a", "b"), 0);
  await chmod(path.join(root, "a"), 0);
  return { root, outside };
}

/**
 * Nests folders far past PATH_MAX the way a student's code can, relative to its working folder: a child process
 * with its own working directory, so this test process never changes its own. The deepest folder is locked.
 */
function deepTree(root: string, depth: number, uid?: number): void {
  const script = `const fs = require("fs");
    for (let i = 0; i < ${depth}; i += 1) { fs.mkdirSync("dd"); process.chdir("dd"); }
    fs.writeFileSync("f", "x"); fs.chmodSync(".", 0);`;
  const child = spawnSync(process.execPath, ["-e", script], { cwd: root, uid, gid: uid, encoding: "utf8" });
  expect(child.stderr).toBe("");
  expect(child.status).toBe(0);
}

/**
 * Runs removeTrees in a child process as nobody: the non-root runner's path, from a test that runs as root.
 * Exits 0 when it resolves; prints the error's name and message and exits 3 when it rejects.
 */
function removeAsNobody(paths: string[]) {
  const script = `require(${JSON.stringify(path.join(RUNNER_ROOT, "src/files/remove-tree.ts"))})
    .removeTrees(${JSON.stringify(paths)})
    .then(() => process.exit(0), (e) => { console.log(e.name + ": " + e.message); process.exit(3); })`;
  return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
    cwd: RUNNER_ROOT,
    uid: NOBODY,
    gid: NOBODY,
    encoding: "utf8",
  });
}

describe("removeTrees", () => {
  it("removes a tree with folders locked at mode 000, and links without following them", async () => {
    const { root, outside } = await lockedTree();
    await removeTrees([root, path.join(root, "missing")]);
    expect(existsSync(root)).toBe(false);
    expect(existsSync(outside)).toBe(true);
  });

  it("takes locked folders back when it is not root, whom modes do not stop", async () => {
    const { root, outside } = await lockedTree();
    if (process.getuid?.() !== 0) {
      await removeTrees([root]);
    } else {
      // As root, the non-root path runs in a child with the tree's owner as its uid.
      for (const p of [path.dirname(root), root, path.join(root, "a"), path.join(root, "a", "b"), path.join(root, "a", "b", "f")]) {
        await chown(p, NOBODY, NOBODY);
      }
      const child = removeAsNobody([root]);
      expect(child.stderr).toBe("");
      expect(child.status).toBe(0);
    }
    expect(existsSync(root)).toBe(false);
    expect(existsSync(outside)).toBe(true);
  });

  it("removes folders nested deeper than any path can name, and leaves no piece beside the tree", async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), "remove-deep-"));
    const root = path.join(base, "tree");
    await mkdir(root);
    // 3 bytes a level: 3000 levels make paths of over 9000 bytes.
    deepTree(root, 3000);
    await removeTrees([root]);
    expect(readdirSync(base)).toEqual([]);
    rmdirSync(base);
  });

  it("moves deep folders out under short names, even beside a root whose name leaves no room for a suffix", async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), "remove-deep-"));
    // A student names its own entries in /tmp: NAME_MAX is 255 bytes.
    const root = path.join(base, "r".repeat(250));
    await mkdir(root);
    deepTree(root, 1500);
    await removeTrees([root]);
    expect(readdirSync(base)).toEqual([]);
    rmdirSync(base);
  });

  it.runIf(process.getuid?.() === 0)("does so as a non-root runner too, for a tree a sandbox uid nested and locked", async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), "remove-deep-"));
    await chmod(base, 0o755);
    const root = path.join(base, "tree");
    await mkdir(root);
    await chown(root, NOBODY, NOBODY);
    deepTree(root, 3000, NOBODY);
    await chown(base, NOBODY, NOBODY);
    const child = removeAsNobody([root]);
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(readdirSync(base)).toEqual([]);
    rmdirSync(base);
  });

  it.runIf(process.getuid?.() === 0)("removes every other path when one fails, then reports the failure", async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), "remove-fail-"));
    await chmod(base, 0o755);
    // As nobody, a root-owned file in a root-owned folder cannot be unlinked; nobody's own tree, in its own folder, can.
    const locked = path.join(base, "root-file");
    await writeFile(locked, "x");
    const own = path.join(base, "mine", "own");
    await mkdir(path.join(own, "a"), { recursive: true });
    for (const p of [path.dirname(own), own, path.join(own, "a")]) await chown(p, NOBODY, NOBODY);
    const child = removeAsNobody([locked, own]);
    expect(child.status).toBe(3);
    expect(child.stdout).toMatch(/^RemoveTreesError: 1 of 2 removals failed: EACCES/);
    expect(existsSync(own)).toBe(false);
    expect(existsSync(locked)).toBe(true);
    await rm(base, { recursive: true });
  });
});
