import path from "node:path";

/** Pure checks on a ZIP's central directory, kept apart from I/O so each hostile shape is easy to test. */

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const MAX_NAME_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;

export interface NameCheck {
  ok: true;
  /** Relative POSIX path inside the destination, without trailing slash. */
  relative: string;
  isDirectory: boolean;
}

export interface NameProblem {
  ok: false;
  reason: string;
}

/**
 * Accepts only names that stay inside the destination however an extractor reads them: no `..`, no absolute
 * or drive-letter path, no backslash (a separator on Windows tools), no control characters.
 */
export function checkEntryName(name: string): NameCheck | NameProblem {
  const bad = (why: string): NameProblem => ({ ok: false, reason: `the entry "${printable(name)}" ${why}.` });
  if (name.length === 0) return { ok: false, reason: "an entry has an empty name." };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return bad("has control characters in its name");
  if (name.includes("\\")) return bad("uses backslashes in its path");
  if (name.startsWith("/")) return bad("has an absolute path");
  if (/^[a-zA-Z]:/.test(name)) return bad("starts with a drive letter");
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return bad("has a path that is too long");
  const segments = name.split("/");
  if (segments.includes("..")) return bad("points outside the submission folder");
  if (segments.some((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES)) return bad("has a file name that is too long");
  const relative = path.posix.normalize(name).replace(/\/+$/, "");
  if (relative === "." || relative === "" || relative.startsWith("../")) return bad("points outside the submission folder");
  return { ok: true, relative, isDirectory: name.endsWith("/") };
}

/** Unix zips keep the file type in the high bits of the external attributes; 0 means "not recorded". */
export function isPlainFileOrFolder(externalFileAttributes: number, isDirectory: boolean): boolean {
  const type = (externalFileAttributes >>> 16) & S_IFMT;
  return type === 0 || (isDirectory ? type === S_IFDIR : type === S_IFREG);
}

/**
 * Tracks every path the archive creates, explicit or implied by a deeper entry. Names that differ only in
 * case or Unicode normalization count as the same: they collide on macOS and Windows file systems and look
 * identical to a reviewer, so which one a tool picks would be up to chance.
 */
export class NameRegistry {
  private readonly kinds = new Map<string, "file" | "dir">();
  private readonly explicit = new Set<string>();

  /** Returns a reason when `relative` clashes with a name already registered. */
  add(relative: string, isDirectory: boolean, original: string): string | undefined {
    const key = relative.normalize("NFC").toLowerCase();
    if (this.explicit.has(key)) return `the entry "${printable(original)}" appears twice.`;
    this.explicit.add(key);
    const parts = key.split("/");
    for (let i = 1; i < parts.length; i += 1) {
      const parent = parts.slice(0, i).join("/");
      if (this.kinds.get(parent) === "file") return `the entry "${printable(original)}" is inside a path that is also a file.`;
      this.kinds.set(parent, "dir");
    }
    const kind = isDirectory ? "dir" : "file";
    const existing = this.kinds.get(key);
    if (existing && existing !== kind) return `the entry "${printable(original)}" is both a file and a folder.`;
    this.kinds.set(key, kind);
    return undefined;
  }
}

export interface DataRange {
  name: string;
  start: number;
  end: number;
}

/**
 * Entries whose stored bytes overlap are the trick behind non-recursive zip bombs: one compressed kernel
 * referenced by thousands of headers. A well-formed archive never shares bytes between entries.
 */
export function findOverlap(ranges: DataRange[]): [DataRange, DataRange] | undefined {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i += 1) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (current.start < previous.end) return [previous, current];
  }
  return undefined;
}

/** Names go into student-facing messages: keep them short and printable. */
export function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}
