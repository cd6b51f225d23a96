import { createWriteStream } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { ZipFile } from "yazl";

async function listFiles(root: string, dir = root): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map(async (entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return listFiles(root, full);
      return entry.isFile() ? [full] : [];
    }),
  );
  return files.flat().sort();
}

/** Zips a folder's files (paths relative to it) into `outFile`, streaming. */
export async function zipFolder(folder: string, outFile: string): Promise<void> {
  const zip = new ZipFile();
  for (const file of await listFiles(folder)) {
    zip.addFile(file, path.relative(folder, file).split(path.sep).join("/"));
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(outFile));
}
