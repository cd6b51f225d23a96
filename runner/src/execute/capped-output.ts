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
