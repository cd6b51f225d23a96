import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { InvalidArchiveError } from "../errors/runner-error";

export interface ExtractLimits {
  maxEntries: number;
  maxTotalBytes: number;
  maxEntryBytes: number;
  /** Uncompressed / compressed above this, for entries big enough to matter, is treated as a zip bomb. */
  maxCompressionRatio: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = {
  maxEntries: 10_000,
  maxTotalBytes: 512 * 1024 * 1024,
  maxEntryBytes: 256 * 1024 * 1024,
  maxCompressionRatio: 200,
};

// Small entries compress absurdly well (a file of spaces); only judge ratios where size could hurt.
const RATIO_FLOOR_BYTES = 1024 * 1024;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

export interface ExtractResult {
  files: number;
  bytes: number;
}

const openZip = promisify<string, yauzl.Options, ZipFile>(yauzl.open);

/**
 * Unpacks `zipPath` into `destinationFolder`, which is removed first so the workspace holds exactly the archive's files.
 * Every name is checked before anything is written and sizes are counted while streaming, so a hostile archive is
 * refused without writing outside the destination or filling the disk.
 */
export async function extractZip(
  zipPath: string,
  destinationFolder: string,
  limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS,
): Promise<ExtractResult> {
  const root = path.resolve(destinationFolder);
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });

  let zip: ZipFile;
  try {
    // strictFileNames makes yauzl refuse backslashes instead of silently turning them into separators.
    zip = await openZip(zipPath, { lazyEntries: true, autoClose: true, strictFileNames: true, validateEntrySizes: true });
  } catch (error) {
    throw new InvalidArchiveError("the file is not a readable ZIP archive.", { cause: error });
  }

  try {
    return await walk(zip, root, limits);
  } finally {
    zip.close();
  }
}

function walk(zip: ZipFile, root: string, limits: ExtractLimits): Promise<ExtractResult> {
  return new Promise((resolve, reject) => {
    const seen = new Set<string>();
    const result: ExtractResult = { files: 0, bytes: 0 };
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error instanceof InvalidArchiveError ? error : new InvalidArchiveError("the ZIP archive is damaged.", { cause: error }));
    };

    if (zip.entryCount > limits.maxEntries) {
      fail(new InvalidArchiveError(`the archive has ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed.`));
      return;
    }
    zip.on("error", fail);
    zip.on("end", () => {
      if (settled) return;
      settled = true;
      if (result.files === 0) reject(new InvalidArchiveError("the archive contains no files."));
      else resolve(result);
    });
    zip.on("entry", (entry: Entry) => {
      writeEntry(zip, entry, root, limits, seen, result).then(() => zip.readEntry(), fail);
    });
    zip.readEntry();
  });
}

async function writeEntry(
  zip: ZipFile,
  entry: Entry,
  root: string,
  limits: ExtractLimits,
  seen: Set<string>,
  result: ExtractResult,
): Promise<void> {
  const name = entry.fileName;
  const isDirectory = name.endsWith("/");
  const normalized = name.replace(/\/+$/, "");
  const target = path.resolve(root, normalized);
  if (!normalized || (target !== root && !target.startsWith(root + path.sep))) {
    throw new InvalidArchiveError(`the entry "${name}" points outside the submission folder.`);
  }
  if (seen.has(normalized)) throw new InvalidArchiveError(`the entry "${name}" appears twice.`);
  seen.add(normalized);
  if (entry.isEncrypted()) throw new InvalidArchiveError(`the entry "${name}" is encrypted.`);

  // Unix zips keep the file type in the high bits; anything but a plain file or folder (symlinks above all) is refused.
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (type !== 0 && type !== S_IFREG && !(isDirectory && type === S_IFDIR)) {
    throw new InvalidArchiveError(`the entry "${name}" is a link or special file, which is not allowed.`);
  }

  if (isDirectory) {
    await mkdir(target, { recursive: true });
    return;
  }

  if (entry.uncompressedSize > limits.maxEntryBytes) {
    throw new InvalidArchiveError(`the file "${name}" is larger than ${limits.maxEntryBytes} bytes.`);
  }
  if (result.bytes + entry.uncompressedSize > limits.maxTotalBytes) {
    throw new InvalidArchiveError(`the archive unpacks to more than ${limits.maxTotalBytes} bytes.`);
  }
  if (
    entry.uncompressedSize > RATIO_FLOOR_BYTES &&
    entry.uncompressedSize / Math.max(entry.compressedSize, 1) > limits.maxCompressionRatio
  ) {
    throw new InvalidArchiveError(`the file "${name}" is compressed suspiciously well (possible zip bomb).`);
  }

  await mkdir(path.dirname(target), { recursive: true });
  const input = await promisify<Entry, Readable>(zip.openReadStream.bind(zip))(entry);
  // Declared sizes can lie; count what really comes out so the caps hold whatever the headers say.
  let written = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      if (written > limits.maxEntryBytes || result.bytes + written > limits.maxTotalBytes) {
        callback(new InvalidArchiveError(`the archive unpacks to more than the allowed size.`));
        return;
      }
      callback(null, chunk);
    },
  });
  // "wx" refuses to follow or replace anything already at the target, a last guard against races and aliasing.
  await pipeline(input, meter, createWriteStream(target, { flags: "wx", mode: 0o644 }));
  result.files += 1;
  result.bytes += written;
}
