import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildZip, renameEntries } from "../../test/helpers/zip-builder";
import { InvalidArchiveError } from "../errors/runner-error";
import { extractZip } from "./extract-zip";

let base: string;
let dest: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "extract-"));
  dest = path.join(base, "work", "sub-1");
});
afterAll(() => rm(base, { recursive: true, force: true }));

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

async function zipFile(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(base, name);
  await writeFile(file, bytes);
  return file;
}

describe("extractZip", () => {
  it("extracts exactly the archive's files, replacing a previous workspace", async () => {
    await mkdir(dest, { recursive: true });
    await writeFile(path.join(dest, "stale.txt"), "left over from an earlier attempt");
    const zip = await zipFile(
      "ok.zip",
      await buildZip([
        { name: "src/" },
        { name: "src/Main.java", content: "class Main {}" },
        { name: "README.md", content: "héllo" },
      ]),
    );
    const result = await extractZip(zip, dest);
    expect(result).toEqual({
      files: 2,
      bytes: 13 + Buffer.byteLength("héllo"),
      admission: { studentFiles: ["README.md", "src/Main.java"], ignored: [] },
    });
    expect(await listTree(dest)).toEqual(["README.md", path.join("src", "Main.java")]);
    expect(await readFile(path.join(dest, "README.md"), "utf8")).toBe("héllo");
  });

  it.each([
    ["parent traversal", "xx/evil.txt", "../evil.txt"],
    ["nested traversal", "a/xx/xx/e.txt", "a/../../e.txt"],
    ["absolute path", "xtmp/evil.txt", "/tmp/evil.txt"],
    ["backslash traversal", "xx/evil.txt", "..\\evil.txt"],
    ["drive letter", "Cx/evil.txt", "C:/evil.txt"],
  ])("rejects %s without writing outside the destination", async (_label, safe, hostile) => {
    const zip = await zipFile("hostile.zip", renameEntries(await buildZip([{ name: safe, content: "pwned" }]), safe, hostile));
    const error = await extractZip(zip, dest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArchiveError);
    expect(await listTree(base)).not.toContain("evil.txt");
    await expect(readFile("/tmp/evil.txt")).rejects.toThrow();
  });

  it("rejects a symlink entry", async () => {
    const zip = await zipFile("link.zip", await buildZip([{ name: "link", content: "/etc/passwd", mode: 0o120777 }]));
    await expect(extractZip(zip, dest)).rejects.toThrow(/link or special file/);
  });

  it("rejects a file that is not a ZIP, and an empty archive", async () => {
    await expect(extractZip(await zipFile("text.zip", Buffer.from("hello")), dest)).rejects.toThrow(/not a readable ZIP/);
    await expect(extractZip(await zipFile("empty.zip", await buildZip([])), dest)).rejects.toThrow(/no files/);
  });

  it("stops at the entry limit and the size caps", async () => {
    const many = await zipFile("many.zip", await buildZip([1, 2, 3].map((i) => ({ name: `f${i}.txt`, content: "x" }))));
    await expect(extractZip(many, dest, { maxEntries: 2, maxTotalBytes: 1e9, maxEntryBytes: 1e9, maxCompressionRatio: 1e9 })).rejects.toThrow(
      /at most 2/,
    );
    const big = await zipFile("big.zip", await buildZip([{ name: "big.txt", content: "y".repeat(5000) }]));
    await expect(extractZip(big, dest, { maxEntries: 10, maxTotalBytes: 1e9, maxEntryBytes: 4000, maxCompressionRatio: 1e9 })).rejects.toThrow(
      /larger than 4000 bytes/,
    );
  });
});
