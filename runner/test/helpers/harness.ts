import { mkdtemp, rm } from "node:fs/promises";
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

export async function startHarness(options: LocalStackOptions = {}): Promise<Harness> {
  const stack = await startLocalStack(options);
  useLocalCredentials(stack.env);
  const base = await mkdtemp(path.join(os.tmpdir(), "runner-test-"));
  const dirs = { work: path.join(base, "work"), tmp: path.join(base, "tmp") };
  const config = (overrides: Record<string, string> = {}) =>
    loadConfig({
      ...stack.env,
      RUNNER_WORK_DIR: dirs.work,
      RUNNER_TMP_DIR: dirs.tmp,
      RUNNER_LOG_LEVEL: "info",
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
      const cfg = config(overrides);
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
      for (const { runner, clients: c } of runners) {
        await runner.stop();
        await closeClients(c);
      }
      await closeClients(clients);
      await stack.stop();
      await rm(base, { recursive: true, force: true });
    },
  };
}
