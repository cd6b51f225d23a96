import type { FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";
import yauzl from "yauzl";

const BLOCK_BYTES = 256 * 1024;
const CACHED_BLOCKS = 16;
// Ranges longer than this are streamed from the file; shorter ones are served from cached blocks.
const STREAM_ABOVE_BYTES = 2 * BLOCK_BYTES;
const STREAM_CHUNK_BYTES = 256 * 1024;

/**
 * yauzl's view of a ZIP file, reading it in 256 KiB blocks kept in a small cache (4 MiB). yauzl's own
 * file reader issues a read for every central-directory record, local header and small entry; for a
 * submission of many small files those tiny reads, not inflating or writing, were most of the time.
 */
export class BlockReader extends yauzl.RandomAccessReader {
  private readonly blocks = new Map<number, Promise<Buffer>>();

  constructor(
    private readonly file: FileHandle,
    private readonly size: number,
  ) {
    super();
  }

  private block(index: number): Promise<Buffer> {
    let block = this.blocks.get(index);
    if (block) return block;
    const start = index * BLOCK_BYTES;
    const length = Math.min(BLOCK_BYTES, this.size - start);
    block = this.file.read(Buffer.allocUnsafe(length), 0, length, start).then(({ bytesRead, buffer }) => {
      if (bytesRead !== length) throw new Error(`short read at ${start}: ${bytesRead} of ${length} bytes`);
      return buffer;
    });
    this.blocks.set(index, block);
    // Oldest first out: yauzl walks the file forwards, so an old block is rarely wanted again.
    if (this.blocks.size > CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
    return block;
  }

  private async *slices(start: number, end: number): AsyncGenerator<Buffer> {
    for (let position = start; position < end; ) {
      const index = Math.floor(position / BLOCK_BYTES);
      const block = await this.block(index);
      const from = position - index * BLOCK_BYTES;
      const to = Math.min(block.length, end - index * BLOCK_BYTES);
      yield block.subarray(from, to);
      position += to - from;
    }
  }

  /**
   * A long range in 256 KiB reads. Not fs.createReadStream on the shared descriptor: destroying such a stream
   * (pipeline and yauzl both do once an entry ends) closes the descriptor even with autoClose off.
   */
  private async *chunks(start: number, end: number): AsyncGenerator<Buffer> {
    for (let position = start; position < end; ) {
      const length = Math.min(STREAM_CHUNK_BYTES, end - position);
      const { bytesRead, buffer } = await this.file.read(Buffer.allocUnsafe(length), 0, length, position);
      if (bytesRead === 0) throw new Error(`unexpected end of file at ${position}`);
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
      position += bytesRead;
    }
  }

  override _readStreamForRange(start: number, end: number): Readable {
    if (end - start > STREAM_ABOVE_BYTES) {
      return Readable.from(this.chunks(start, end), { objectMode: false });
    }
    return Readable.from(this.slices(start, end), { objectMode: false });
  }

  /** `length` bytes at `position`, from the cached blocks: a small entry's data in one buffer, without a stream. */
  async bytes(position: number, length: number): Promise<Buffer> {
    if (position + length > this.size) throw new Error(`range ${position}+${length} is past the end of the file`);
    const out = Buffer.allocUnsafe(length);
    let at = 0;
    for await (const slice of this.slices(position, position + length)) at += slice.copy(out, at);
    return out;
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    const copy = async () => {
      let at = offset;
      for await (const slice of this.slices(position, position + length)) at += slice.copy(buffer, at);
    };
    copy().then(() => callback(null), (error: Error) => callback(error));
  }

  override close(callback: (err: Error | null) => void): void {
    this.blocks.clear();
    this.file.close().then(() => callback(null), (error: Error) => callback(error));
  }
}
