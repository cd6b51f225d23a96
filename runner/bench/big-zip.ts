import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ZipFile } from "yazl";

export interface BigZipShape {
  smallFiles: number;
  smallFileBytes: number;
  largeFileBytes: number;
}

export const BIG_ZIP: BigZipShape = { smallFiles: 2000, smallFileBytes: 24 * 1024, largeFileBytes: 160 * 2 ** 20 };

/** Random bytes, produced as they are read, so the archive is never held in memory. */
function randomStream(total: number): Readable {
  let left = total;
  return new Readable({
    read() {
      const size = Math.min(left, 1 << 20);
      left -= size;
      this.push(size > 0 ? randomBytes(size) : null);
    },
  });
}

/** Source-like text with some entropy, so small files deflate at realistic ratios. */
function sourceLike(index: number, bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i += 1) {
    const line = `  int value${index}_${i} = compute(${randomBytes(6).toString("hex")}, ${i}); // ${randomBytes(10).toString("base64")}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join("").slice(0, bytes));
}

/**
 * Writes a ~200 MB submission: many small source files plus one large incompressible file
 * (stored, not deflated: random data does not shrink, and the ratio checks stay meaningful).
 */
export async function writeBigZip(file: string, shape: BigZipShape = BIG_ZIP): Promise<void> {
  const zip = new ZipFile();
  for (let i = 0; i < shape.smallFiles; i += 1) {
    zip.addBuffer(sourceLike(i, shape.smallFileBytes), `src/pkg${i % 20}/File${i}.java`);
  }
  zip.addReadStream(randomStream(shape.largeFileBytes), "data/large.bin", { compress: false, size: shape.largeFileBytes });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
}
