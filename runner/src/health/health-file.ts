import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";

/**
 * The runner's liveness signal for a container health check (scripts/healthcheck.js): the polling
 * loop touches this file on every turn, so a stale file means the loop, not a dependency, is stuck.
 */
export class HealthFile {
  private lastWrite = 0;
  private writing = false;
  private failing = false;

  constructor(
    private readonly file: string,
    private readonly log: Logger,
    /** Writes closer together than this are skipped; the check only needs a recent time. */
    private readonly minIntervalMs = 1000,
  ) {}

  /** Fire and forget: a full disk must not stop grading, so failures are logged once, not thrown. */
  touch(now = Date.now()): void {
    if (this.writing || now - this.lastWrite < this.minIntervalMs) return;
    this.writing = true;
    this.lastWrite = now;
    void this.write(now).finally(() => (this.writing = false));
  }

  private async write(now: number): Promise<void> {
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(this.file, `${new Date(now).toISOString()}\n`);
      if (this.failing) this.log.info({ event: "health-file-restored", file: this.file }, "health file written again");
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.error({ event: "health-file-failed", file: this.file, err }, "cannot write health file");
      this.failing = true;
    }
  }
}
