import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNNER_DIR } from "./helpers/harness";

const ENTRY = path.join(RUNNER_DIR, "src", "index.ts");
let cwd: string;

beforeAll(async () => {
  // A folder with no .env, so only the variables given here count.
  cwd = await mkdtemp(path.join(os.tmpdir(), "runner-startup-"));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ["-r", require.resolve("ts-node/register"), ENTRY], {
    cwd,
    env: { PATH: process.env.PATH ?? "", TS_NODE_PROJECT: path.join(RUNNER_DIR, "tsconfig.json"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe("npm start", () => {
  it("exits non-zero at once, naming every missing or malformed variable", async () => {
    const run = start({ RUNNER_CONCURRENCY: "zero" });
    expect(await run.exited).toBe(1);
    for (const name of ["AWS_REGION", "AWS_SQS_QUEUE_URL", "AWS_S3_BUCKET", "DB_HOST", "RUNNER_CONCURRENCY"]) {
      expect(run.output()).toContain(name);
    }
    expect(run.output()).not.toContain("Runner started");
  });

  it("starts, survives unreachable services, and exits 0 on SIGTERM", async () => {
    const run = start({
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "x",
      AWS_SECRET_ACCESS_KEY: "y",
      // Nothing listens on port 9 of loopback: every call fails fast.
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_SQS_QUEUE_URL: "http://127.0.0.1:9/000000000000/submissions-queue",
      AWS_S3_BUCKET: "b",
      DATABASE_URL: "postgres://u:p@127.0.0.1:9/db",
    });
    const deadline = Date.now() + 20_000;
    while (!run.output().includes("receive-failed") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(run.output()).toContain("Runner started");
    expect(run.output()).toContain("receive-failed");
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });
});
