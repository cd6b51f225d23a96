import { randomUUID } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Pool } from "pg";
import { FakeApi } from "../src/local/fake-api";
import type { CompiledBench } from "./compile";
import { startCpuMeter, startProcessCpuMeter, type ProcessCores } from "./machine-cpu";
import { TraceSink, type SubmissionTrace } from "./log-events";
import { startRunnerProcess } from "./runner-process";

export interface Sample {
  /** Message sent to row final, as the student waits. */
  latencyMs: number;
  /** Message sent to the runner's "received" line: SQS delivery. */
  receiveMs: number;
  /** The runner's own time for the submission: "received" to "recorded". */
  processMs: number;
  stages: Record<string, number>;
}

export interface LevelResult {
  concurrency: number;
  submissions: number;
  elapsedMs: number;
  samples: Sample[];
  errorLines: number;
  /** Cores the whole machine kept busy while the level ran (from /proc/stat); undefined off Linux. */
  busyCores: number | undefined;
  /** The share of busyCores that was the runner process and the test commands it ran. */
  runnerCores: ProcessCores | undefined;
  /** The bench's own process: fauxqs (SQS and S3) and the driver that sends messages and reads the runner's log. */
  benchCores: ProcessCores | undefined;
}

export interface LevelDeps {
  api: FakeApi;
  pool: Pool;
  sqs: SQSClient;
  s3: S3Client;
  bucket: string;
  pitId: string;
  zipPath: string;
  /** The runner's environment for a level: the local services, the bench's folders, and the overrides. */
  env: (overrides: Record<string, string>) => Record<string, string>;
  compiled: CompiledBench;
  /** The runner process's working directory. */
  cwd: string;
}

/** Uploads the ZIP and inserts the row for each submission, as the API does before it sends the message. */
export async function seedSubmissions(deps: LevelDeps, count: number): Promise<{ id: string; fileKey: string }[]> {
  const seeded = Array.from({ length: count }, () => {
    const id = randomUUID();
    return { id, fileKey: `submissions/u-bench/${id}.zip` };
  });
  for (const { id, fileKey } of seeded) {
    await deps.api.upload(fileKey, deps.zipPath);
    await deps.pool.query(`INSERT INTO submissions (id, "userId", "pitId", "fileKey") VALUES ($1, 'u-bench', $2, $3)`, [
      id,
      deps.pitId,
      fileKey,
    ]);
  }
  return seeded;
}

/**
 * Runs `count` submissions through a fresh runner process with `concurrency` slots, keeping exactly
 * `concurrency` messages outstanding (closed loop): the runner is always busy, and the latency of each
 * submission is its own, not the time spent behind a backlog.
 */
export async function runLevel(
  deps: LevelDeps,
  concurrency: number,
  count: number,
  warmup: number,
  recordTimeoutMs = 30_000,
  /** Awaited after each measured submission (the paired floor runs here, so both see the same machine load). */
  afterEach?: () => Promise<void>,
): Promise<LevelResult> {
  const seeded = await seedSubmissions(deps, warmup + count);
  // A queue of its own: a stopped runner's aborted long poll may still take a message on the server side,
  // which would then stay invisible to the next runner for the whole visibility timeout.
  const { QueueUrl: queueUrl } = await deps.sqs.send(new CreateQueueCommand({ QueueName: `bench-${randomUUID()}` }));
  if (!queueUrl) throw new Error("CreateQueue returned no URL");
  const api = new FakeApi({ s3: deps.s3, sqs: deps.sqs, pool: deps.pool, bucket: deps.bucket, queueUrl });
  const sink = new TraceSink();
  const env = deps.env({ RUNNER_CONCURRENCY: String(concurrency), AWS_SQS_QUEUE_URL: queueUrl });
  const runner = startRunnerProcess(deps.compiled, env, deps.cwd, sink);

  const sentAt = new Map<string, number>();
  let next = 0;
  let measuring = false;
  const drive = async (upTo: number) => {
    for (;;) {
      const item = seeded[next];
      if (next >= upTo || !item) return;
      next += 1;
      sentAt.set(item.id, performance.now());
      await api.send({
        submissionId: item.id,
        fileKey: item.fileKey,
        userId: "u-bench",
        pitId: deps.pitId,
        createdAt: new Date().toISOString(),
      });
      await sink.recorded(item.id, recordTimeoutMs);
      if (measuring && afterEach) {
        // The runner's tail (workspace removal, message deletion) must not overlap what runs next.
        await sink.deleted(item.id, recordTimeoutMs);
        await afterEach();
      }
    }
  };
  const workers = (upTo: number) => Promise.all(Array.from({ length: concurrency }, () => drive(upTo)));

  try {
    // Process start, connections, JIT and the first spawn are paid before the clock starts.
    await workers(warmup);
    const errorsBefore = sink.errors;
    const started = performance.now();
    const busyCores = startCpuMeter();
    const runnerCores = startProcessCpuMeter(runner.pid);
    const benchCores = startProcessCpuMeter(process.pid);
    measuring = true;
    await workers(warmup + count);
    const elapsedMs = performance.now() - started;
    const samples = seeded.slice(warmup).map(({ id }) => toSample(sink.trace(id), sentAt.get(id) ?? Number.NaN));
    return {
      concurrency,
      submissions: count,
      elapsedMs,
      samples,
      errorLines: sink.errors - errorsBefore,
      busyCores: busyCores(),
      runnerCores: runnerCores(),
      benchCores: benchCores(),
    };
  } finally {
    await runner.stop();
  }
}

function toSample(trace: SubmissionTrace, sent: number): Sample {
  const received = trace.receivedAt ?? Number.NaN;
  const recorded = trace.recordedAt ?? Number.NaN;
  return { latencyMs: recorded - sent, receiveMs: received - sent, processMs: recorded - received, stages: trace.stages };
}
