/**
 * Keeps the first and last `maxBytes / 2` bytes of a stream in memory and counts the rest, so a
 * submission that prints gigabytes costs the runner a fixed amount of memory and no disk.
 */
export class CappedOutput {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;
  private readonly headLimit: number;
  private readonly tailLimit: number;

  constructor(readonly maxBytes: number) {
    this.headLimit = Math.floor(maxBytes / 2);
    this.tailLimit = maxBytes - this.headLimit;
  }

  get totalBytes(): number {
    return this.total;
  }

  get truncated(): boolean {
    return this.total > this.headBytes + this.tailBytes;
  }

  write(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headLimit) {
      const take = Math.min(this.headLimit - this.headBytes, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return;
    // Copy: the caller may reuse its buffer, and a slice would pin the whole chunk in memory.
    this.tail.push(Buffer.from(rest.subarray(Math.max(0, rest.length - this.tailLimit))));
    this.tailBytes += Math.min(rest.length, this.tailLimit);
    while (this.tailBytes > this.tailLimit && this.tail.length > 0) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - this.tailLimit;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
      }
    }
  }

  toString(): string {
    const head = Buffer.concat(this.head).toString("utf8");
    if (!this.truncated) return head + Buffer.concat(this.tail).toString("utf8");
    const omitted = this.total - this.headBytes - this.tailBytes;
    return `${head}\n\n[... output cut by the runner: ${omitted} bytes omitted ...]\n\n${Buffer.concat(this.tail).toString("utf8")}`;
  }
}

/** Default bound of `MarkedLines`: far more than any honest guard writes, a fixed cost however much is printed. */
export const MARKED_LINES_MAX_BYTES = 16 * 1024 * 1024;

/**
 * The lines of one stream that start with `marker`, kept apart from the capped log so that no amount of other
 * output can push them out: a runner-owned witness in the test process (the Java guard) prints its records this way.
 * Only the first `maxBytes` are kept, and only whole lines (a line that does not fit ends the collection): what
 * the witness prints first (before the code under test runs) is always kept. `truncated` says that lines were lost.
 * One instance per stream, so that stdout and stderr lines are never mixed up.
 */
export class MarkedLines {
  private readonly marker: Buffer;
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  /** Bytes of the current line while it may still turn out to be a marked one (fewer than the marker's). */
  private pending: Buffer = Buffer.alloc(0);
  private mode: "start" | "keep" | "skip" = "start";
  private line: Buffer[] = [];
  private lineBytes = 0;
  private full = false;
  private lost = false;

  constructor(marker: string, readonly maxBytes = MARKED_LINES_MAX_BYTES) {
    this.marker = Buffer.from(marker, "utf8");
    if (this.marker.length === 0 || this.marker.includes(0x0a)) throw new Error("MarkedLines: the marker must be a non-empty single line");
  }

  /** Lines were lost: more than `maxBytes` of them, or a marked line the stream ended inside. */
  get truncated(): boolean {
    return this.lost;
  }

  write(chunk: Buffer): void {
    const marker = this.marker;
    let pos = 0;
    while (pos < chunk.length) {
      if (this.mode === "keep") {
        const nl = chunk.indexOf(0x0a, pos);
        const end = nl < 0 ? chunk.length : nl + 1;
        this.lineBytes += end - pos;
        if (this.keptBytes + this.lineBytes > this.maxBytes) {
          // It does not fit: it and everything after it are lost; what was kept stays whole lines.
          this.full = true;
          this.lost = true;
          this.line = [];
          this.mode = "skip";
          continue;
        }
        // Copy: the caller may reuse its buffer.
        this.line.push(Buffer.from(chunk.subarray(pos, end)));
        pos = end;
        if (nl >= 0) {
          this.kept.push(...this.line);
          this.keptBytes += this.lineBytes;
          this.line = [];
          this.mode = "start";
        }
        continue;
      }
      if (this.pending.length > 0) {
        // The previous chunk ended inside what may be a marker at a line's start.
        const piece = chunk.subarray(pos, Math.min(chunk.length, pos + marker.length - this.pending.length));
        const candidate = Buffer.concat([this.pending, piece]);
        this.pending = Buffer.alloc(0);
        if (!marker.subarray(0, candidate.length).equals(candidate)) {
          // Not a marker (the marker has no newline, so the line's end, if any, is still ahead of pos).
          this.mode = "skip";
        } else if (candidate.length < marker.length) {
          this.pending = candidate;
          return;
        } else {
          pos += piece.length;
          this.begin(candidate);
        }
        continue;
      }
      let from = pos;
      if (this.mode === "skip") {
        const nl = chunk.indexOf(0x0a, pos);
        if (nl < 0) return;
        from = nl + 1;
        this.mode = "start";
      }
      // `from` starts a line: the next marker that starts one too (a native search, not a loop over every line).
      let at = chunk.indexOf(marker, from);
      while (at > from && chunk[at - 1] !== 0x0a) at = chunk.indexOf(marker, at + 1);
      if (at >= 0) {
        pos = at + marker.length;
        this.begin(Buffer.from(chunk.subarray(at, pos)));
        continue;
      }
      // No marker starts a line in the rest; the last line may begin one that the next chunk completes.
      const lastNl = chunk.lastIndexOf(0x0a);
      const rest = chunk.subarray(lastNl >= from ? lastNl + 1 : from);
      if (rest.length > 0 && marker.subarray(0, rest.length).equals(rest)) this.pending = Buffer.from(rest);
      else this.mode = rest.length === 0 ? "start" : "skip";
      return;
    }
  }

  private begin(marker: Buffer): void {
    if (this.full) {
      this.lost = true;
      this.mode = "skip";
      return;
    }
    this.mode = "keep";
    this.line = [marker];
    this.lineBytes = marker.length;
  }

  /** Call once the stream has ended: a marked line without its newline was cut off (the process died mid-write). */
  end(): void {
    if (this.mode === "keep") this.lost = true;
    this.mode = "start";
    this.line = [];
    this.pending = Buffer.alloc(0);
  }

  toString(): string {
    return Buffer.concat(this.kept).toString("utf8");
  }
}
