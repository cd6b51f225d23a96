import { crc32, deflateRawSync } from "node:zlib";

/** One entry of a hand-made ZIP; every field a hostile archive might abuse can be set directly. */
export interface RawEntry {
  name: string | Buffer;
  data?: Buffer;
  /** 0 stored, 8 deflated; any other number is written as is (and its data stored raw). */
  method?: number;
  flags?: number;
  /** Unix mode (type and permission bits), stored in the high half of the external attributes. */
  mode?: number;
  /** Claimed uncompressed size, when it should differ from the truth. */
  declaredSize?: number;
  /** Point this central-directory entry at the data of an earlier entry instead of writing its own. */
  shareDataWith?: number;
}

interface Written {
  offset: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  method: number;
}

/**
 * Builds a ZIP byte by byte (APPNOTE 4.3), for the shapes a normal zip library refuses to write:
 * traversal names, links, encryption flags, lying sizes, entries sharing data.
 */
export function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const written: Written[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.isBuffer(entry.name) ? entry.name : Buffer.from(entry.name, "utf8");
    if (entry.shareDataWith !== undefined) {
      written.push(written[entry.shareDataWith]!);
      continue;
    }
    const data = entry.data ?? Buffer.alloc(0);
    const method = entry.method ?? 0;
    const payload = method === 8 ? deflateRawSync(data) : data;
    const info: Written = {
      offset,
      crc: crc32(data),
      compressedSize: payload.length,
      uncompressedSize: entry.declaredSize ?? data.length,
      method,
    };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE((entry.flags ?? 0) | 0x800, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt32LE(info.crc, 14);
    header.writeUInt32LE(info.compressedSize, 18);
    header.writeUInt32LE(info.uncompressedSize, 22);
    header.writeUInt16LE(name.length, 26);
    locals.push(header, name, payload);
    offset += header.length + name.length + payload.length;
    written.push(info);
  }
  const central: Buffer[] = [];
  entries.forEach((entry, i) => {
    const name = Buffer.isBuffer(entry.name) ? entry.name : Buffer.from(entry.name, "utf8");
    const info = written[i]!;
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode bits count
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE((entry.flags ?? 0) | 0x800, 8);
    header.writeUInt16LE(info.method, 10);
    header.writeUInt32LE(info.crc, 16);
    header.writeUInt32LE(info.compressedSize, 20);
    header.writeUInt32LE(info.uncompressedSize, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(((entry.mode ?? 0o100644) << 16) >>> 0, 38);
    header.writeUInt32LE(info.offset, 42);
    central.push(header, name);
  });
  const centralBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}
