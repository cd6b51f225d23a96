import { createWriteStream } from "node:fs";
import { mkdir, open, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { inflateRawSync } from "node:zlib";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { InvalidArchiveError } from "../errors/runner-error";
import { BlockReader } from "./block-reader";

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
// Entries up to this size are inflated into memory and written while the next entries are read: a
// submission is mostly small source files, and their open/write/close calls overlap in libuv's pool.
const BUFFERED_ENTRY_BYTES = 256 * 1024;
const PARALLEL_WRITES = 8;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

export interface ExtractResult {
  files: number;
  bytes: number;
}

async function openZip(zipPath: string, options: yauzl.Options): Promise<ZipFile> {
  const file = await open(zipPath, "r");
  try {
    const { size } = await file.stat();
    return await yauzl.fromRandomAccessReaderPromise(new BlockReader(file, size), size, options);
  } catch (error) {
    await file.close();
    throw error;
  }
}

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

/** What one extraction shares across entries. */
interface WalkState {
  root: string;
  limits: ExtractLimits;
  seen: Set<string>;
  /** Folders known to exist, so each is created once rather than once per file. */
  dirs: Set<string>;
  /** Small files being written; at most PARALLEL_WRITES at a time. */
  writes: Set<Promise<void>>;
  result: ExtractResult;
}

function walk(zip: ZipFile, root: string, limits: ExtractLimits): Promise<ExtractResult> {
  return new Promise((resolve, reject) => {
    const state: WalkState = { root, limits, seen: new Set(), dirs: new Set([root]), writes: new Set(), result: { files: 0, bytes: 0 } };
    const { result } = state;
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
      Promise.all(state.writes).then(() => {
        if (settled) return;
        settled = true;
        if (result.files === 0) reject(new InvalidArchiveError("the archive contains no files."));
        else resolve(result);
      }, fail);
    });
    zip.on("entry", (entry: Entry) => {
      writeEntry(zip, entry, state).then(() => zip.readEntry(), fail);
    });
    zip.readEntry();
  });
}

async function ensureDir(dir: string, state: WalkState): Promise<void> {
  if (state.dirs.has(dir)) return;
  await mkdir(dir, { recursive: true });
  state.dirs.add(dir);
}

async function writeEntry(zip: ZipFile, entry: Entry, state: WalkState): Promise<void> {
  const { root, limits, seen, result } = state;
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
    await ensureDir(target, state);
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

  await ensureDir(path.dirname(target), state);
  // Declared sizes can lie; count what really comes out so the caps hold whatever the headers say.
  let written = 0;
  const count = (chunk: Buffer) => {
    written += chunk.length;
    if (written > limits.maxEntryBytes || result.bytes + written > limits.maxTotalBytes) {
      throw new InvalidArchiveError(`the archive unpacks to more than the allowed size.`);
    }
  };

  if (entry.uncompressedSize <= BUFFERED_ENTRY_BYTES && entry.compressedSize <= BUFFERED_ENTRY_BYTES) {
    const data = await readSmallEntry(zip, entry, name);
    count(data);
    result.bytes += written;
    while (state.writes.size >= PARALLEL_WRITES) await Promise.race(state.writes);
    // "wx" refuses to follow or replace anything already at the target, a last guard against races and aliasing.
    const write = writeFile(target, data, { flag: "wx", mode: 0o644 }).then(() => {
      result.files += 1;
    });
    state.writes.add(write);
    // Failures surface through Promise.all at the end; this only keeps the set to writes in progress.
    write.then(
      () => state.writes.delete(write),
      () => undefined,
    );
    return;
  }

  const input = await promisify<Entry, Readable>(zip.openReadStream.bind(zip))(entry);
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        count(chunk);
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback(null, chunk);
    },
  });
  await pipeline(input, meter, createWriteStream(target, { flags: "wx", mode: 0o644 }));
  result.files += 1;
  result.bytes += written;
}

const STORED = 0;
const DEFLATE = 8;

/**
 * A small entry, whole, in memory. Deflated ones are inflated here in one synchronous call: a zlib stream
 * per file costs a thread-pool round trip per chunk, which for source files is far more than the inflating.
 */
async function readSmallEntry(zip: ZipFile, entry: Entry, name: string): Promise<Buffer> {
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATE) {
    throw new InvalidArchiveError(`the file "${name}" uses an unsupported compression method.`);
  }
  const input = await zip.openReadStreamPromise(entry, { decodeFileData: false });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BUFFERED_ENTRY_BYTES) throw new InvalidArchiveError(`the file "${name}" is larger than its header says.`);
    chunks.push(chunk);
  }
  const stored = Buffer.concat(chunks);
  if (entry.compressionMethod === STORED) return stored;
  let data: Buffer;
  try {
    // The cap makes a lying header fail here instead of inflating without bound.
    data = inflateRawSync(stored, { maxOutputLength: BUFFERED_ENTRY_BYTES + 1 });
  } catch (error) {
    throw new InvalidArchiveError(`the file "${name}" is damaged or larger than its header says.`, { cause: error });
  }
  if (data.length !== entry.uncompressedSize) {
    throw new InvalidArchiveError(`the file "${name}" does not match the size its header declares.`);
  }
  return data;
}
