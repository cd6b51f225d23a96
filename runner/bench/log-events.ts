import { Writable } from "node:stream";

export interface SubmissionTrace {
  receivedAt?: number;
  recordedAt?: number;
  /** The message was deleted: the runner has finished everything for this submission. */
  deletedAt?: number;
  stages: Record<string, number>;
}

/**
 * Reads the runner process's pino lines (its stdout) in the bench: it keeps, per submission, when the message
 * was received, each `stage` line's durationMs and when the row was recorded (performance.now() on arrival;
 * pino writes synchronously to the pipe, so arrival follows the log call by the pipe's latency only).
 */
export class TraceSink extends Writable {
  readonly traces = new Map<string, SubmissionTrace>();
  private readonly waiters = new Map<string, () => void>();
  /** A pipe delivers chunks, not lines: the tail of one chunk starts a line the next one ends. */
  private partial = "";
  errors = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    const now = performance.now();
    const lines = (this.partial + chunk.toString("utf8")).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim()) this.take(JSON.parse(line) as Record<string, unknown>, now);
    }
    callback();
  }

  private take(line: Record<string, unknown>, now: number): void {
    if (typeof line.level === "number" && line.level >= 50) this.errors += 1;
    const id = line.submissionId;
    if (typeof id !== "string") return;
    const trace = this.trace(id);
    if (line.event === "received") trace.receivedAt = now;
    else if (line.event === "stage" && typeof line.stage === "string" && typeof line.durationMs === "number") {
      trace.stages[line.stage] = line.durationMs;
    } else if (line.event === "recorded" || line.event === "skipped") {
      trace.recordedAt = now;
      this.wake(`recorded:${id}`);
    } else if (line.event === "deleted") {
      trace.deletedAt = now;
      this.wake(`deleted:${id}`);
    }
  }

  private wake(key: string): void {
    this.waiters.get(key)?.();
    this.waiters.delete(key);
  }

  private wait(key: string, done: boolean, timeoutMs: number): Promise<void> {
    if (done) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${key} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(key, () => (clearTimeout(timer), resolve()));
    });
  }

  trace(id: string): SubmissionTrace {
    let trace = this.traces.get(id);
    if (!trace) this.traces.set(id, (trace = { stages: {} }));
    return trace;
  }

  /** Resolves when the runner logs that this submission's row is final. */
  recorded(id: string, timeoutMs = 30_000): Promise<void> {
    return this.wait(`recorded:${id}`, this.traces.get(id)?.recordedAt !== undefined, timeoutMs);
  }

  /** Resolves when the runner has deleted the message: nothing of this submission is still running. */
  deleted(id: string, timeoutMs = 30_000): Promise<void> {
    return this.wait(`deleted:${id}`, this.traces.get(id)?.deletedAt !== undefined, timeoutMs);
  }
}
