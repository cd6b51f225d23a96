import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { closeClients, createClients, type Clients } from "../../src/clients";
import { loadConfig, type Config } from "../../src/config";
import { FakeApi } from "../../src/local/fake-api";
import { startLocalStack, useLocalCredentials, type LocalStack, type LocalStackOptions } from "../../src/local/local-stack";
import { createLogger } from "../../src/logging/logger";
import { createRunner, type Runner } from "../../src/runner";

export const RUNNER_DIR = path.resolve(__dirname, "..", "..");
export const SAMPLES_DIR = path.join(RUNNER_DIR, "samples");

/** Pino lines written by a runner under test, parsed. */
export class LogSink extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.lines.push(JSON.parse(line));
    callback();
  }
  events(event: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.event === event);
  }
}

export interface Harness {
  stack: LocalStack;
  clients: Clients;
  api: FakeApi;
  dirs: { work: string; tmp: string };
  config(overrides?: Record<string, string>): Config;
  /** A runner in this process, built exactly as src/index.ts builds one, with its logs captured. */
  startRunner(overrides?: Record<string, string>): { runner: Runner; logs: LogSink; done: Promise<void> };
  readLog(key: string): Promise<string>;
  stop(): Promise<void>;
}

/** 256 uids per test worker, 64 per runner in it (8 per slot at concurrency up to 8). */
const uidBase = (runnerIndex: number) => 20_000 + (process.pid % 500) * 256 + (runnerIndex % 4) * 64;

export async function startHarness(options: LocalStackOptions = {}): Promise<Harness> {
  const stack = await startLocalStack(options);
  useLocalCredentials(stack.env);
  const base = await mkdtemp(path.join(os.tmpdir(), "runner-test-"));
  // Sandbox uids must be able to pass through to their workspace (0711: enter, never list).
  await chmod(base, 0o711);
  const dirs = { work: path.join(base, "work"), tmp: path.join(base, "tmp") };
  const config = (overrides: Record<string, string> = {}) =>
    loadConfig({
      ...stack.env,
      RUNNER_WORK_DIR: dirs.work,
      RUNNER_TMP_DIR: dirs.tmp,
      RUNNER_LOG_LEVEL: "info",
      // Beside the base folder, not in it: the hostile tests assert nothing but workspaces appears there.
      RUNNER_HEALTH_FILE: `${base}.health`,
      // Test files run in parallel workers: give each its own sandbox uids, or one runner's kill-by-uid
      // and temp sweep would hit another's submissions.
      RUNNER_SANDBOX_UID_BASE: String(uidBase(0)),
      ...overrides,
    });
  const clients = createClients(config());
  const api = new FakeApi({ ...clients, bucket: stack.bucket, queueUrl: stack.queueUrl });
  const runners: { runner: Runner; clients: Clients }[] = [];

  return {
    stack,
    clients,
    api,
    dirs,
    config,
    startRunner(overrides = {}) {
      // Runners in one process are separate tasks: each needs uids of its own, as each container has in production.
      const cfg = config({ RUNNER_SANDBOX_UID_BASE: String(uidBase(runners.length)), ...overrides });
      const logs = new LogSink();
      const runnerClients = createClients(cfg);
      const runner = createRunner(cfg, runnerClients, createLogger(cfg.logLevel, logs));
      runners.push({ runner, clients: runnerClients });
      return { runner, logs, done: runner.start() };
    },
    async readLog(key) {
      const object = await clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
      return (await object.Body?.transformToString("utf8")) ?? "";
    },
    async stop() {
      // Stopping PostgreSQL sends 57P01 to any connection pg has not finished closing: expected here, and
      // without a listener it surfaced as an unhandled error that failed the whole test run.
      clients.pool.on("error", () => undefined);
      for (const { runner, clients: c } of runners) {
        await runner.stop();
        await closeClients(c);
      }
      await closeClients(clients);
      await stack.stop();
      await rm(base, { recursive: true, force: true });
      await rm(`${base}.health`, { force: true });
    },
  };
}
