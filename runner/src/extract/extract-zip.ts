import { createWriteStream } from "node:fs";
import { mkdir, open, writeFile } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { inflateRawSync } from "node:zlib";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import type { Admission } from "../admit/admission";
import { InvalidArchiveError } from "../errors/runner-error";
import { forEachBounded } from "../files/bounded";
import { Pacer } from "../files/pacer";
import { removeTrees } from "../files/remove-tree";
import { BlockReader } from "./block-reader";
import { checkEntryName, findOverlap, isPlainFileOrFolder, NameRegistry, printable, type DataRange } from "./entry-checks";

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
const STORED = 0;
const DEFLATED = 8;
/**
 * Entries up to this size (most of a submission) are read from the cached blocks, inflated in one call and written
 * with one writeFile, several at once (see files/bounded.ts): a stream per entry costs several thread-pool round
 * trips, and creating a file can block on the disk. Larger entries are streamed, one at a time.
 */
const SMALL_ENTRY_BYTES = 256 * 1024;
const SMALL_WRITES_IN_FLIGHT = 8;
// Failures of the runner's own disk are not the student's fault: they must stay retryable.
const HOST_ERRORS = new Set(["ENOSPC", "EDQUOT", "EIO", "EMFILE", "ENFILE", "ENOMEM", "EROFS"]);

export interface ExtractResult {
  files: number;
  bytes: number;
}

/**
 * Decides, from every file name in the archive (posix, relative to its root), which files are written. Dropped
 * files are never written at all, so nothing the submission was not allowed to contribute ever reaches the disk.
 */
export type SelectFiles = (files: string[]) => Admission;

export interface ExtractedSubmission extends ExtractResult {
  admission: Admission;
}

interface PlannedEntry {
  entry: Entry;
  name: string;
  /** Posix, relative to the archive's root, normalised. */
  relative: string;
  target: string;
  isDirectory: boolean;
  /** Where the entry's data starts, past its local header; known once overlaps are checked. */
  dataStart?: number;
}

interface OpenedZip {
  zip: ZipFile;
  reader: BlockReader;
  size: number;
}

/** What writing the entries shares: the archive, the limits, the running totals and the folders made so far. */
interface WriteContext extends OpenedZip {
  limits: ExtractLimits;
  result: ExtractResult;
  /** Each folder is created once, whichever entry asks first; the others wait for that same call. */
  madeDirs: Map<string, Promise<unknown>>;
  pacer: Pacer;
}

/** yauzl over cached 256 KiB blocks: its many tiny reads per entry made extraction 3.4x slower than unzip. */
async function openZip(zipPath: string, options: yauzl.Options): Promise<OpenedZip> {
  const file = await open(zipPath, "r");
  try {
    const { size } = await file.stat();
    const reader = new BlockReader(file, size);
    return { zip: await yauzl.fromRandomAccessReaderPromise(reader, size, options), reader, size };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/**
 * Unpacks `zipPath` into `destinationFolder`, which is removed first so the workspace holds exactly the archive's files.
 * The whole central directory is checked (names, types, sizes, overlaps) before the first byte is written, and sizes
 * are counted again while streaming, so a hostile archive is refused without writing outside the destination or
 * filling the disk.
 */
export async function extractZip(
  zipPath: string,
  destinationFolder: string,
  limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS,
  select: SelectFiles = keepEverything,
): Promise<ExtractedSubmission> {
  const root = path.resolve(destinationFolder);
  await removeTrees([root]);
  await mkdir(root, { recursive: true });

  let opened: OpenedZip;
  try {
    // decodeStrings off: yauzl would otherwise refuse bad names with an opaque error; we decode and judge them ourselves.
    opened = await openZip(zipPath, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (error) {
    throw new InvalidArchiveError("the file is not a readable ZIP archive.", { cause: error });
  }
  const { zip } = opened;

  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new InvalidArchiveError(`the archive has ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed.`);
    }
    const everything = await plan(zip, root, limits, opened.size);
    // The whole archive is judged (names, sizes, overlaps) whatever is kept: an unsafe one is refused outright.
    await checkOverlaps(zip, everything);
    const admission = select(everything.filter((p) => !p.isDirectory).map((p) => p.relative));
    const kept = new Set(admission.studentFiles);
    // Folders are made as their files need them; an entry of its own only for an empty one is not worth keeping.
    const planned = everything.filter((p) => !p.isDirectory && kept.has(p.relative));
    const madeDirs = new Map<string, Promise<unknown>>([[root, Promise.resolve()]]);
    const context: WriteContext = { ...opened, limits, result: { files: 0, bytes: 0 }, madeDirs, pacer: new Pacer() };
    const isSmall = (item: PlannedEntry) => item.isDirectory || isSmallEntry(item);
    await forEachBounded(planned.filter(isSmall), SMALL_WRITES_IN_FLIGHT, (item) => write(context, item));
    for (const item of planned.filter((p) => !isSmall(p))) await write(context, item);
    return { ...context.result, admission };
  } catch (error) {
    if (error instanceof InvalidArchiveError) throw error;
    if (HOST_ERRORS.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
    // yauzl refuses strong encryption while reading the directory, before our own check sees the entry.
    if (/encryption/.test((error as Error).message)) throw new InvalidArchiveError("an entry is encrypted.", { cause: error });
    throw new InvalidArchiveError("the ZIP archive is damaged.", { cause: error });
  } finally {
    zip.close();
  }
}

function keepEverything(files: string[]): Admission {
  return { studentFiles: [...files].sort(), ignored: [] };
}

function readEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on("error", reject);
    zip.on("entry", (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on("end", () => resolve(entries));
    zip.readEntry();
  });
}

/** Reads the central directory and refuses the archive on the first unsafe entry, before anything is written. */
async function plan(zip: ZipFile, root: string, limits: ExtractLimits, archiveBytes: number): Promise<PlannedEntry[]> {
  const entries = await readEntries(zip);
  const names = new NameRegistry();
  const planned: PlannedEntry[] = [];
  let declaredTotal = 0;
  for (const entry of entries) {
    // strictFileNames keeps backslashes as they are, so the name check sees what a Windows tool would.
    const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
    const checked = checkEntryName(name);
    if (!checked.ok) throw new InvalidArchiveError(checked.reason);
    const target = path.resolve(root, checked.relative);
    if (!target.startsWith(root + path.sep)) {
      throw new InvalidArchiveError(`the entry "${printable(name)}" points outside the submission folder.`);
    }
    const clash = names.add(checked.relative, checked.isDirectory, name);
    if (clash) throw new InvalidArchiveError(clash);
    if (entry.isEncrypted()) throw new InvalidArchiveError(`the entry "${printable(name)}" is encrypted.`);
    if (!isPlainFileOrFolder(entry.externalFileAttributes, checked.isDirectory)) {
      throw new InvalidArchiveError(`the entry "${printable(name)}" is a link or special file, which is not allowed.`);
    }
    if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
      throw new InvalidArchiveError(`the entry "${printable(name)}" uses an unsupported compression method.`);
    }
    if (!checked.isDirectory) {
      checkDeclaredSize(entry, name, limits);
      declaredTotal += entry.uncompressedSize;
      if (declaredTotal > limits.maxTotalBytes) {
        throw new InvalidArchiveError(`the archive unpacks to more than ${limits.maxTotalBytes} bytes.`);
      }
    }
    planned.push({ entry, name, relative: checked.relative, target, isDirectory: checked.isDirectory });
  }
  if (!planned.some((p) => !p.isDirectory)) throw new InvalidArchiveError("the archive contains no files.");
  if (declaredTotal > RATIO_FLOOR_BYTES && declaredTotal / Math.max(archiveBytes, 1) > limits.maxCompressionRatio) {
    throw new InvalidArchiveError("the archive is compressed suspiciously well (possible zip bomb).");
  }
  return planned;
}

function checkDeclaredSize(entry: Entry, name: string, limits: ExtractLimits): void {
  if (entry.uncompressedSize > limits.maxEntryBytes) {
    throw new InvalidArchiveError(`the file "${printable(name)}" is larger than ${limits.maxEntryBytes} bytes.`);
  }
  if (
    entry.uncompressedSize > RATIO_FLOOR_BYTES &&
    entry.uncompressedSize / Math.max(entry.compressedSize, 1) > limits.maxCompressionRatio
  ) {
    throw new InvalidArchiveError(`the file "${printable(name)}" is compressed suspiciously well (possible zip bomb).`);
  }
}

/** Local headers are read for their true data start, so ranges cover exactly the bytes each entry decompresses. */
async function checkOverlaps(zip: ZipFile, planned: PlannedEntry[]): Promise<void> {
  const ranges: DataRange[] = [];
  for (const item of planned) {
    const { entry, name } = item;
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
    item.dataStart = fileDataStart;
    ranges.push({ name, start: entry.relativeOffsetOfLocalHeader, end: fileDataStart + entry.compressedSize });
  }
  const overlap = findOverlap(ranges);
  if (overlap) {
    throw new InvalidArchiveError(
      `the entries "${printable(overlap[0].name)}" and "${printable(overlap[1].name)}" share data (possible zip bomb).`,
    );
  }
}

function makeDir(context: WriteContext, dir: string): Promise<unknown> {
  let made = context.madeDirs.get(dir);
  if (!made) {
    made = mkdir(dir, { recursive: true, mode: 0o755 });
    context.madeDirs.set(dir, made);
  }
  return made;
}

function isSmallEntry({ entry, dataStart }: PlannedEntry): boolean {
  return dataStart !== undefined && entry.uncompressedSize <= SMALL_ENTRY_BYTES && entry.compressedSize <= SMALL_ENTRY_BYTES;
}

/**
 * Counts bytes as they come out, whatever the headers declared, so the caps hold even for entries written
 * at the same time.
 */
function count(context: WriteContext, entryBytes: number, more: number): void {
  if (entryBytes > context.limits.maxEntryBytes || context.result.bytes + more > context.limits.maxTotalBytes) {
    throw new InvalidArchiveError("the archive unpacks to more than the allowed size.");
  }
  context.result.bytes += more;
}

async function write(context: WriteContext, item: PlannedEntry): Promise<void> {
  if (item.isDirectory) {
    await makeDir(context, item.target);
    return;
  }
  await makeDir(context, path.dirname(item.target));
  if (isSmallEntry(item) && item.dataStart !== undefined) await writeSmall(context, item, item.dataStart);
  else await writeStreamed(context, item);
  context.result.files += 1;
}

async function writeSmall(context: WriteContext, item: PlannedEntry, dataStart: number): Promise<void> {
  const { entry } = item;
  const raw = await context.reader.bytes(dataStart, entry.compressedSize);
  // Capped at the declared size: an entry that inflates to more is refused without allocating what it claims.
  const data = entry.compressionMethod === DEFLATED ? inflateRawSync(raw, { maxOutputLength: Math.max(entry.uncompressedSize, 1) }) : raw;
  if (data.length !== entry.uncompressedSize) {
    throw new Error(`"${printable(item.name)}" holds ${data.length} bytes, not the ${entry.uncompressedSize} its header declares`);
  }
  count(context, data.length, data.length);
  await context.pacer.step();
  // "wx" refuses to follow or replace anything already at the target, a last guard against aliasing.
  await writeFile(item.target, data, { flag: "wx", mode: 0o644 });
}

async function writeStreamed(context: WriteContext, item: PlannedEntry): Promise<void> {
  const { zip } = context;
  const input = await promisify<Entry, Readable>(zip.openReadStream.bind(zip))(item.entry);
  let written = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      try {
        count(context, written, chunk.length);
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback(null, chunk);
    },
  });
  await pipeline(input, meter, createWriteStream(item.target, { flags: "wx", mode: 0o644 }));
}
