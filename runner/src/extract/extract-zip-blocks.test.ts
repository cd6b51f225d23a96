import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZipFile } from "yazl";
import { InvalidArchiveError } from "../errors/runner-error";
import { extractZip } from "./extract-zip";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "extract-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeZip(name: string, entries: { path: string; data: Buffer; compress?: boolean }[]): Promise<string> {
  const zip = new ZipFile();
  for (const entry of entries) zip.addBuffer(entry.data, entry.path, { compress: entry.compress ?? true });
  zip.end();
  const file = path.join(dir, name);
  await pipeline(zip.outputStream, createWriteStream(file));
  return file;
}

describe("extractZip", () => {
  it("writes every file byte for byte, small and large, deflated and stored, in nested folders", async () => {
    const entries = [
      ...Array.from({ length: 300 }, (_, i) => ({ path: `src/p${i % 7}/F${i}.java`, data: Buffer.from(`class F${i} {}\n`.repeat(i + 1)) })),
      { path: "data/big-stored.bin", data: randomBytes(3 * 1024 * 1024), compress: false },
      { path: "data/big-deflated.txt", data: Buffer.from(randomBytes(900 * 1024).toString("base64")) },
      { path: "data/mid-stored.bin", data: randomBytes(200 * 1024), compress: false },
      { path: "empty.txt", data: Buffer.alloc(0) },
    ];
    const zip = await writeZip("mixed.zip", entries);
    const out = path.join(dir, "mixed");
    const result = await extractZip(zip, out);

    expect(result.files).toBe(entries.length);
    expect(result.bytes).toBe(entries.reduce((sum, e) => sum + e.data.length, 0));
    for (const entry of entries) expect((await readFile(path.join(out, entry.path))).equals(entry.data)).toBe(true);
    expect((await readdir(path.join(out, "src"))).sort()).toEqual(["p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
  });

  it("refuses an entry that escapes the destination, and a duplicate name", async () => {
    const escaping = await writeZip("escape.zip", [{ path: "ok.txt", data: Buffer.from("a") }]);
    // yazl refuses "../" names, so the name is patched in the archive's bytes (same length).
    const bytes = (await readFile(escaping)).toString("latin1").replaceAll("ok.txt", "../x.t");
    const patched = path.join(dir, "escape-patched.zip");
    await pipeline(async function* () {
      yield Buffer.from(bytes, "latin1");
    }, createWriteStream(patched));
    await expect(extractZip(patched, path.join(dir, "escape"))).rejects.toBeInstanceOf(InvalidArchiveError);

    const dup = await writeZip("dup.zip", [
      { path: "a.txt", data: Buffer.from("1") },
      { path: "a.txt", data: Buffer.from("2") },
    ]);
    await expect(extractZip(dup, path.join(dir, "dup"))).rejects.toThrow(/appears twice/);
  });

  it("refuses a small entry whose header understates its size", async () => {
    const zip = await writeZip("liar.zip", [{ path: "liar.txt", data: Buffer.from("x".repeat(5000)) }]);
    const bytes = await readFile(zip);
    // Patch the uncompressed size (5000) in the central directory record to 10.
    const central = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt32LE(10, central + 24);
    const patched = path.join(dir, "liar-patched.zip");
    await pipeline(async function* () {
      yield bytes;
    }, createWriteStream(patched));
    await expect(extractZip(patched, path.join(dir, "liar"))).rejects.toBeInstanceOf(InvalidArchiveError);
  });
});
