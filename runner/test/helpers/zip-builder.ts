import { writeFile } from "node:fs/promises";
import { ZipFile } from "yazl";

export interface ZipEntrySpec {
  name: string;
  content?: string | Buffer;
  /** Unix mode including the file type bits, e.g. 0o120777 for a symlink. */
  mode?: number;
  compress?: boolean;
}

/** Builds a ZIP in memory with yazl (test archives are small). */
export async function buildZip(entries: ZipEntrySpec[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const e of entries) {
    if (e.name.endsWith("/")) zip.addEmptyDirectory(e.name, { mode: e.mode });
    else zip.addBuffer(Buffer.from(e.content ?? ""), e.name, { mode: e.mode, compress: e.compress ?? true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * yazl refuses hostile names, as it should; to test the reader, write a harmless name of the same
 * length and swap the bytes afterwards in both the local header and the central directory.
 */
export function renameEntries(zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error("names must have the same byte length");
  const needle = Buffer.from(from);
  const out = Buffer.from(zip);
  let at = out.indexOf(needle);
  let count = 0;
  while (at !== -1) {
    Buffer.from(to).copy(out, at);
    count += 1;
    at = out.indexOf(needle, at + needle.length);
  }
  if (count === 0) throw new Error(`name ${from} not found`);
  return out;
}

export async function writeZip(file: string, entries: ZipEntrySpec[]): Promise<string> {
  await writeFile(file, await buildZip(entries));
  return file;
}
