import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { ZipFile } from "yazl";

export const TRIVIAL_PIT = "bench-trivial";

/** A PIT whose test command does almost nothing, so what is measured is the runner around it. */
export async function writeTrivialPit(pitsDir: string): Promise<void> {
  await mkdir(pitsDir, { recursive: true });
  const config = { language: "javascript", buildTool: "node", testCommand: "true", maxTimeoutMs: 10_000 };
  await writeFile(path.join(pitsDir, `${TRIVIAL_PIT}.json`), JSON.stringify(config));
}

/** A small submission like a student's: a few source files in a folder. */
export async function writeTrivialZip(file: string): Promise<void> {
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from("module.exports.add = (a, b) => a + b;\n"), "calculator.js");
  zip.addBuffer(Buffer.from("# my submission\n"), "README.md");
  zip.addBuffer(Buffer.from('{ "name": "submission" }\n'), "package.json");
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
}
