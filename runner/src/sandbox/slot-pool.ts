/**
 * Hands out concurrency slots 0..size-1. A slot names the sandbox uid a submission runs as, so two
 * submissions graded at once never share a uid (and never share its process count or its files).
 */
export class SlotPool {
  private readonly busy: boolean[];

  constructor(readonly size: number) {
    this.busy = Array.from({ length: size }, () => false);
  }

  /** The lowest free slot; the consumer never runs more than `size` handlers, so running out is a bug. */
  acquire(): number {
    const slot = this.busy.indexOf(false);
    if (slot === -1) throw new Error(`all ${this.size} sandbox slots are busy`);
    this.busy[slot] = true;
    return slot;
  }

  release(slot: number): void {
    this.busy[slot] = false;
  }

  async with<T>(fn: (slot: number) => Promise<T>): Promise<T> {
    const slot = this.acquire();
    try {
      return await fn(slot);
    } finally {
      this.release(slot);
    }
  }
}
