/**
 * Small file-system calls (lstat, chown, mkdir, a small write) are made synchronously here. On a microVM (Fargate
 * runs tasks in Firecracker; so does the bench's machine) each thread-pool round trip of an async call costs about
 * 0.1 ms of CPU on the event loop, 20-30 times the syscall itself, and a submission makes about a hundred of them.
 * A Pacer bounds how long a run of such calls holds the event loop, however large the tree: once a slice is used
 * up (1 ms), the next step yields, so heartbeats and the other slots keep moving.
 */
export class Pacer {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs = 1) {}

  /** Await between synchronous steps. */
  async step(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
}
