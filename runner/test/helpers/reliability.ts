import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Pool } from "pg";
import { FakeApi } from "../../src/local/fake-api";
import { RUNNER_DIR, type Harness } from "./harness";

export const PIT = "reliability-probe-v1";

/** Writes `<dir>/<PIT>.json` whose test command is `command`: a slow one for mid-run cases, `true` for load. */
export async function writePit(dir: string, command: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  // The probe passes one test once the command succeeds: grading reads test reports, not the exit code.
  const report = `mkdir -p reports && printf '<testsuite name="probe"><testcase name="probe"/></testsuite>' > reports/junit.xml`;
  const config = { language: "javascript", buildTool: "node", testCommand: `${command} && ${report}`, maxTimeoutMs: 120_000 };
  await writeFile(path.join(dir, `${PIT}.json`), JSON.stringify(config));
  return dir;
}

/** A one-file submission folder (the FakeApi zips it). */
export async function writeSubmission(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "answer.txt"), "42\n");
  return dir;
}

/**
 * Counts final writes with a trigger on the submissions table: the row's own columns only show the
 * last write, while this table keeps one line per UPDATE that made (or re-made) a row final.
 */
export async function installFinalWriteAudit(pool: Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS final_writes (id uuid NOT NULL, status text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE OR REPLACE FUNCTION audit_final_write() RETURNS trigger AS $$
      BEGIN INSERT INTO final_writes (id, status) VALUES (NEW.id, NEW.status); RETURN NEW; END;
    $$ LANGUAGE plpgsql;
    DROP TRIGGER IF EXISTS final_write_audit ON submissions;
    CREATE TRIGGER final_write_audit AFTER UPDATE ON submissions
      FOR EACH ROW WHEN (NEW.status IN ('DONE', 'ERROR')) EXECUTE FUNCTION audit_final_write();
  `);
}

export async function finalWrites(pool: Pool, ids: string[]): Promise<Map<string, number>> {
  const result = await pool.query<{ id: string; n: string }>(
    `SELECT id, count(*) AS n FROM final_writes WHERE id = ANY($1::uuid[]) GROUP BY id`,
    [ids],
  );
  return new Map(ids.map((id) => [id, Number(result.rows.find((r) => r.id === id)?.n ?? 0)]));
}

/** Messages still in a queue, visible or in flight. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
    }),
  );
  return Object.values(Attributes).reduce((sum, v) => sum + Number(v), 0);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A runner as ECS runs it: its own process (`node -r ts-node/register src/index.ts`), configured by env only. */
export class ChildRunner {
  readonly lines: Record<string, unknown>[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ["-r", "ts-node/register", "src/index.ts"], {
      cwd: RUNNER_DIR,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffered = "";
    this.child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const line of parts) {
        try {
          if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.lines.push({ raw: line });
        }
      }
    });
    this.child.stderr?.on("data", (chunk: Buffer) => this.lines.push({ stderr: chunk.toString("utf8") }));
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  events(event: string, submissionId?: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.event === event && (!submissionId || l.submissionId === submissionId));
  }

  /** Resolves once the submission's test command is running (the stage before it has ended). */
  waitForRun(submissionId: string, timeoutMs = 30_000): Promise<void> {
    return waitUntil(
      `runner ${this.pid} to start running ${submissionId}`,
      () => this.lines.some((l) => l.event === "stage" && l.stage === "prepare" && l.submissionId === submissionId),
      timeoutMs,
    );
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/**
 * A TCP relay to a local service that can be switched off: while down it resets every connection,
 * as an unreachable S3 endpoint would, without stopping the service behind it.
 */
export class Outage {
  private down = false;
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      if (this.down) return void client.resetAndDestroy();
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
  }

  static async relay(url: string): Promise<Outage> {
    const { hostname, port } = new URL(url);
    const outage = new Outage({ host: hostname, port: Number(port) });
    await new Promise<void>((resolve) => outage.server.listen(0, "127.0.0.1", resolve));
    outage.port = (outage.server.address() as net.AddressInfo).port;
    return outage;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setDown(down: boolean): void {
    this.down = down;
    if (down) for (const s of this.sockets) s.resetAndDestroy();
  }

  close(): Promise<void> {
    this.setDown(true);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A fresh queue (with its DLQ) for one test. A stopped runner's aborted long poll can stay open on
 * the server and take the next message for a visibility timeout; a queue per test keeps tests apart.
 */
export async function isolatedQueue(
  h: Harness,
  name: string,
  options: { visibilityTimeoutSeconds: number; maxReceiveCount: number },
): Promise<{ queueUrl: string; dlqUrl: string; api: FakeApi; env: Record<string, string> }> {
  const { sqs } = h.clients;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqUrl = dlq.QueueUrl!;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: String(options.maxReceiveCount) }),
      },
    }),
  );
  const queueUrl = queue.QueueUrl!;
  const api = new FakeApi({ ...h.clients, bucket: h.stack.bucket, queueUrl });
  return { queueUrl, dlqUrl, api, env: { AWS_SQS_QUEUE_URL: queueUrl } };
}
