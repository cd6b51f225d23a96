import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZipFile } from "yazl";
import { SAMPLES_DIR, startHarness, type Harness } from "./helpers/harness";
import { rawZip, type RawEntry } from "./helpers/raw-zip";

const NODE_PIT = "javascript-node-dummy-dev";
const MiB = 1024 * 1024;
const LIMITS = {
  RUNNER_ZIP_MAX_ENTRIES: "50",
  RUNNER_ZIP_MAX_ENTRY_BYTES: String(8 * MiB),
  RUNNER_ZIP_MAX_TOTAL_BYTES: String(12 * MiB),
  RUNNER_ZIP_MAX_RATIO: "100",
};
const tag = randomBytes(4).toString("hex");
const absoluteTarget = path.join(os.tmpdir(), `hostile-abs-${tag}.txt`);
const calculator = Buffer.from("module.exports = { add: (a, b) => a + b };\n");

let h: Harness;
let scratch: string;

beforeAll(async () => {
  h = await startHarness();
  h.startRunner(LIMITS);
  scratch = await mkdtemp(path.join(os.tmpdir(), "hostile-zips-"));
});
afterAll(async () => {
  await h?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** Everything under the harness's base folder except the (by now empty) work and tmp parents. */
async function strayFiles(): Promise<string[]> {
  const base = path.dirname(h.dirs.work);
  const stray = (await readdir(base)).filter((n) => n !== "work" && n !== "tmp").map((n) => path.join(base, n));
  for (const parent of [h.dirs.work, h.dirs.tmp]) {
    if (existsSync(parent)) stray.push(...(await readdir(parent)).map((n) => path.join(parent, n)));
  }
  return stray;
}

async function submitBytes(bytes: Buffer) {
  const file = path.join(scratch, `${randomBytes(6).toString("hex")}.zip`);
  await writeFile(file, bytes);
  const { submissionId } = await h.api.submit({ pitId: NODE_PIT, source: file });
  return h.api.waitForFinal(submissionId);
}

function yazlZip(add: (zip: ZipFile) => void): Promise<Buffer> {
  const zip = new ZipFile();
  add(zip);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

const withCalculator = (...entries: RawEntry[]): Buffer => rawZip([{ name: "calculator.js", data: calculator }, ...entries]);

/** Random bytes do not compress: their size, not their ratio, is what a test exercises. */
const noise = (bytes: number) => randomBytes(bytes);

const cases: { name: string; zip: () => Buffer | Promise<Buffer>; message: RegExp }[] = [
  { name: "a ../ traversal", zip: () => withCalculator({ name: "../evil.txt", data: Buffer.from("x") }), message: /outside/ },
  { name: "a traversal hidden mid-path", zip: () => withCalculator({ name: "a/../../evil.txt", data: Buffer.from("x") }), message: /outside/ },
  { name: "an absolute path", zip: () => withCalculator({ name: absoluteTarget, data: Buffer.from("x") }), message: /absolute path/ },
  { name: "backslash traversal", zip: () => withCalculator({ name: "..\\..\\evil.txt", data: Buffer.from("x") }), message: /backslash/ },
  { name: "a drive letter", zip: () => withCalculator({ name: "C:/evil.txt", data: Buffer.from("x") }), message: /drive letter/ },
  { name: "a relative drive path", zip: () => withCalculator({ name: "C:evil.txt", data: Buffer.from("x") }), message: /drive letter/ },
  { name: "a NUL in a name", zip: () => withCalculator({ name: "evil.txt\u0000.js", data: Buffer.from("x") }), message: /control characters/ },
  {
    name: "a symlink to /etc/passwd",
    zip: () => withCalculator({ name: "link", data: Buffer.from("/etc/passwd"), mode: 0o120777 }),
    message: /link or special file/,
  },
  { name: "a FIFO", zip: () => withCalculator({ name: "fifo", mode: 0o010644 }), message: /link or special file/ },
  {
    // ZipCrypto data starts with a 12-byte header, which the sizes account for.
    name: "an encrypted entry",
    zip: () => withCalculator({ name: "secret.txt", data: noise(13), declaredSize: 1, flags: 1 }),
    message: /encrypted/,
  },
  {
    name: "a strongly encrypted entry",
    zip: () => withCalculator({ name: "secret.txt", data: noise(13), declaredSize: 1, flags: 0x41 }),
    message: /encrypted/,
  },
  { name: "an unknown compression method", zip: () => withCalculator({ name: "b.bz2", data: Buffer.from("x"), method: 12 }), message: /compression method/ },
  { name: "a duplicate name", zip: () => withCalculator({ name: "calculator.js", data: Buffer.from("evil") }), message: /appears twice/ },
  { name: "a name differing only in case", zip: () => withCalculator({ name: "Calculator.js", data: Buffer.from("x") }), message: /appears twice/ },
  {
    name: "a name differing only in Unicode normalization",
    zip: () => withCalculator({ name: "caf\u00e9.txt", data: Buffer.from("a") }, { name: "cafe\u0301.txt", data: Buffer.from("b") }),
    message: /appears twice/,
  },
  {
    name: "a file that is also a folder",
    zip: () => withCalculator({ name: "lib", data: Buffer.from("x") }, { name: "lib/inner.js", data: Buffer.from("y") }),
    message: /also a file/,
  },
  {
    name: "too many entries",
    zip: () => rawZip(Array.from({ length: 60 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from("x") }))),
    message: /60 entries; at most 50/,
  },
  { name: "an entry over the per-file cap", zip: () => withCalculator({ name: "big.bin", data: noise(9 * MiB) }), message: /larger than/ },
  {
    name: "a total over the archive cap",
    zip: () => withCalculator(...[1, 2, 3].map((i) => ({ name: `part${i}.bin`, data: noise(5 * MiB) }))),
    message: /unpacks to more than/,
  },
  {
    name: "a zip bomb (compression ratio)",
    zip: () => withCalculator({ name: "zeros.txt", data: Buffer.alloc(6 * MiB), method: 8 }),
    message: /suspiciously well/,
  },
  {
    name: "an overlapping-entry zip bomb",
    zip: () => {
      const kernel = noise(256 * 1024);
      return withCalculator(
        { name: "k0.bin", data: kernel },
        ...Array.from({ length: 30 }, (_, i) => ({ name: `k${i + 1}.bin`, shareDataWith: 1 })),
      );
    },
    message: /share data/,
  },
  {
    name: "an entry lying about its size",
    zip: () => withCalculator({ name: "liar.txt", data: Buffer.alloc(4 * MiB, 0x61), method: 8, declaredSize: 100_000 }),
    message: /damaged|allowed size/,
  },
  { name: "a non-ZIP file", zip: () => Buffer.from("#!/bin/sh\necho this is not a zip\n"), message: /not a readable ZIP/ },
  {
    name: "a truncated ZIP",
    zip: async () => (await yazlZip((z) => z.addBuffer(noise(64 * 1024), "calculator.js"))).subarray(0, 40 * 1024),
    message: /not a readable ZIP|damaged/,
  },
  { name: "an empty archive", zip: () => yazlZip(() => undefined), message: /no files/ },
  { name: "an archive of empty folders", zip: () => yazlZip((z) => z.addEmptyDirectory("src/main")), message: /no files/ },
];

describe("hostile archives end in ERROR as invalid submissions, and nothing is written outside the workspace", () => {
  for (const c of cases) {
    it(`refuses ${c.name}`, async () => {
      const row = await submitBytes(await c.zip());
      expect(row.status).toBe("ERROR");
      expect(row.feedback).toMatchObject({ outcome: "invalid_submission" });
      const message = String(row.feedback?.message);
      expect(message).toMatch(/^Your submission could not be accepted: /);
      expect(message).toMatch(c.message);
      expect(message).not.toContain(h.dirs.work);
      expect(await strayFiles()).toEqual([]);
      expect(existsSync(absoluteTarget)).toBe(false);
    });
  }

  it("still grades a normal submission afterwards", async () => {
    const { submissionId } = await h.api.submit({ pitId: NODE_PIT, source: path.join(SAMPLES_DIR, NODE_PIT, "passing") });
    const row = await h.api.waitForFinal(submissionId);
    expect(row.status).toBe("DONE");
    expect(Number(row.score)).toBe(100);
  });
});
