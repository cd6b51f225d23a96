import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { closeClients, createClients } from "../clients";
import { loadConfig, RUNNER_ROOT } from "../config";
import { readSubmissionLatency } from "../metrics/read-line";
import { FakeApi } from "./fake-api";
import { startLocalStack, useLocalCredentials } from "./local-stack";
import { ensureJavaGuard } from "./java-guard";
import { findSamples } from "./samples";
import { LOCAL_DIR, removeStackFile, writeStackFile } from "./stack-file";
import { printTable } from "./table";

/**
 * `npm run local`: SQS + S3 + PostgreSQL in this process, the real runner (src/index.ts) in a child
 * process configured only through its environment, as in production; then the bundled samples.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const stack = await startLocalStack();
  useLocalCredentials(stack.env);
  const env = { ...stack.env, RUNNER_CONCURRENCY: process.env.RUNNER_CONCURRENCY ?? "2" };
  await writeStackFile(env);
  const config = loadConfig(env);
  const clients = createClients(config);
  // Stopping PostgreSQL drops idle pooled connections; that is expected here, not a crash.
  clients.pool.on("error", () => undefined);
  console.log(`[${elapsed()}] local services up: SQS+S3 at ${stack.endpoint}, PostgreSQL at ${stack.databaseUrl}`);

  const logFile = path.join(LOCAL_DIR, "runner.log");
  // The latency each submission's metric line reports (createdAt to recorded), as CloudWatch would get it.
  const latencies = new Map<string, number>();
  const runner = startRunnerProcess(env, logFile, (line) => {
    const latency = readSubmissionLatency(line);
    if (latency) latencies.set(latency.submissionId, latency.studentLatencyMs);
  });
  console.log(`[${elapsed()}] runner started (pid ${runner.pid}); its logs: ${path.relative(process.cwd(), logFile)}`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping the runner and the local services...");
    if (runner.exitCode === null) {
      runner.kill("SIGTERM");
      await new Promise((resolve) => runner.once("exit", resolve));
    }
    await closeClients(clients);
    await stack.stop();
    await removeStackFile();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  runner.once("exit", (code) => {
    if (stopping) return;
    console.error(`the runner exited unexpectedly (code ${code}); see ${logFile}`);
    void stop(1);
  });

  const rows: string[][] = [];
  try {
    const api = new FakeApi({ ...clients, bucket: stack.bucket, queueUrl: stack.queueUrl });
    const guardProblem = await ensureJavaGuard(config.guardsDir);
    if (guardProblem) console.log(`[${elapsed()}] note: ${guardProblem}`);
    const samples = await findSamples(config.pitsDir);
    const submitted = await Promise.all(
      samples
        .filter((s) => !s.skipReason)
        .map(async (s) => ({ sample: s, ...(await api.submit({ pitId: s.pitId, source: s.folder, userId: "u-local" })) })),
    );
    console.log(`[${elapsed()}] submitted ${submitted.length} sample submissions; grading...`);

    for (const { sample, submissionId } of submitted) {
      const row = await api.waitForFinal(submissionId, 180_000);
      const feedback = row.feedback as { outcome?: string; message?: string } | null;
      const latency = await latencyOf(latencies, submissionId);
      rows.push([sample.pitId, sample.name, row.status, row.score ?? "", feedback?.outcome ?? "", latency, `${elapsed()}`]);
    }
    for (const s of samples.filter((s) => s.skipReason)) {
      rows.push([s.pitId, s.name, "SKIPPED", "", s.skipReason ?? "", "", ""]);
    }
  } catch (error) {
    console.error("grading the samples failed:", error);
    await stop(1);
    return;
  }
  printTable(["pit", "sample", "status", "score", "outcome", "latency", "final at"], rows);
  console.log(
    `\nThe runner keeps polling. Submit more from another terminal, e.g.:\n` +
      `  npm run submit -- --pit javascript-node-dummy-dev --zip samples/javascript-node-dummy-dev/passing --wait\n` +
      `Press Ctrl-C to stop.`,
  );
}

/** The metric line follows the row's write by a moment; "?" if it never came (the runner's log says why). */
async function latencyOf(latencies: Map<string, number>, submissionId: string): Promise<string> {
  for (let waited = 0; waited < 3000 && !latencies.has(submissionId); waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ms = latencies.get(submissionId);
  return ms === undefined ? "?" : `${(ms / 1000).toFixed(1)}s`;
}

function startRunnerProcess(env: Record<string, string>, logFile: string, onLine: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, ["-r", "ts-node/register", path.join(RUNNER_ROOT, "src", "index.ts")], {
    cwd: RUNNER_ROOT,
    env: { ...process.env, ...env },
    // Its own process group: Ctrl-C reaches only this script, which then stops the runner with one SIGTERM.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  if (child.stdout) createInterface({ input: child.stdout }).on("line", onLine);
  return child;
}

main().catch((error: unknown) => {
  console.error("npm run local failed:", error);
  process.exit(1);
});
