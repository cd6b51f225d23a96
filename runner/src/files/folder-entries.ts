import { opendirSync, type Dirent } from "node:fs";
import type { Pacer } from "./pacer";

/**
 * Linux refuses any path of PATH_MAX (4096) bytes or more, yet a student's code can nest folders far deeper by
 * creating them relative to its working folder. A walk that addresses entries by full path enters a folder only
 * while every entry inside it can still be named: the folder's path plus a separator and a longest name
 * (255 bytes) must stay under PATH_MAX.
 */
const DEEPEST_ENTERABLE_BYTES = 4095 - 1 - 255;

export function tooDeepToEnter(folder: string): boolean {
  return Buffer.byteLength(folder) > DEEPEST_ENTERABLE_BYTES;
}

// Entries per batch: a batch's cheap per-entry calls (lstat, lchown: ~5 µs) stay within about one Pacer slice.
const BATCH = 128;

/**
 * A folder's entries in batches, with a Pacer step between batches: one `readdirSync` of a folder of 200,000
 * entries holds the event loop for ~300 ms here, and keeps them all in memory at once. Entries removed while the
 * listing is open are fine: the others are still listed (POSIX leaves only added or removed ones open).
 */
export async function* folderEntries(dir: string, pacer: Pacer): AsyncGenerator<Dirent[]> {
  const handle = opendirSync(dir, { bufferSize: BATCH });
  try {
    for (;;) {
      const batch: Dirent[] = [];
      while (batch.length < BATCH) {
        const entry = handle.readSync();
        if (!entry) break;
        batch.push(entry);
      }
      if (batch.length === 0) return;
      yield batch;
      await pacer.step();
    }
  } finally {
    handle.closeSync();
  }
}
