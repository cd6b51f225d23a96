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

/**
 * A folder's entries, read a batch at a time and paced (see Pacer): one `readdirSync` of a folder of 200,000
 * entries holds the event loop for ~300 ms here, and keeps them all in memory at once. Entries removed while
 * the listing is open are fine: the others are still listed (POSIX leaves only added or removed ones open).
 */
export async function* folderEntries(dir: string, pacer: Pacer): AsyncGenerator<Dirent> {
  const handle = opendirSync(dir, { bufferSize: 128 });
  try {
    for (let entry = handle.readSync(); entry; entry = handle.readSync()) {
      yield entry;
      await pacer.step();
    }
  } finally {
    handle.closeSync();
  }
}
