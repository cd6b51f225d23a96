import { spawnSync } from "node:child_process";
import { existsSync, symlinkSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, writeFile } from "node:fs/promises";
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
      const script = `require(${JSON.stringify(path.join(RUNNER_ROOT, "src/files/remove-tree.ts"))}).removeTrees([${JSON.stringify(root)}])`;
      const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
        cwd: RUNNER_ROOT,
        uid: NOBODY,
        gid: NOBODY,
        encoding: "utf8",
      });
      expect(child.stderr).toBe("");
      expect(child.status).toBe(0);
    }
    expect(existsSync(root)).toBe(false);
    expect(existsSync(outside)).toBe(true);
  });
});
