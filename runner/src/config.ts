import os from "node:os";
import path from "node:path";
import { z } from "zod";

/** Where the runner package lives (one level above src/ or dist/), so defaults do not depend on the cwd. */
export const RUNNER_ROOT = path.resolve(__dirname, "..");

const nonEmpty = z.string().trim().min(1, "must not be empty");
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalUrl = z.url().optional();

/**
 * Every variable the runner reads. Names shared with the API follow ../shared/CONTRACT.md §5;
 * the runner's own are prefixed RUNNER_ and default to values that work in production.
 */
export const envSchema = z
  .object({
    AWS_REGION: nonEmpty,
    AWS_SQS_QUEUE_URL: z.url(),
    AWS_S3_BUCKET: nonEmpty,
    AWS_ENDPOINT_URL: optionalUrl,
    AWS_ENDPOINT_URL_S3: optionalUrl,
    AWS_ENDPOINT_URL_SQS: optionalUrl,

    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
    DB_HOST: nonEmpty.optional(),
    DB_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
    DB_USER: nonEmpty.optional(),
    DB_PASSWORD: z.string().optional(),
    DB_NAME: nonEmpty.optional(),
    DB_SSL: z.enum(["true", "false"]).default("false"),

    RUNNER_POLL_INTERVAL_MS: z.coerce.number().int().min(0).default(0),
    RUNNER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    RUNNER_PITS_DIR: nonEmpty.default(path.join(RUNNER_ROOT, "pits")),
    RUNNER_WORK_DIR: nonEmpty.default(path.join(os.tmpdir(), "runner", "work")),
    RUNNER_TMP_DIR: nonEmpty.default(path.join(os.tmpdir(), "runner", "tmp")),
    RUNNER_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    RUNNER_MAX_LOG_BYTES: positiveInt(1024 * 1024),
    RUNNER_KILL_GRACE_MS: z.coerce.number().int().min(0).default(2000),
  });

/** Either DATABASE_URL or the DB_* trio; checked beside the schema so it is reported with every other problem. */
function databaseProblems(env: Record<string, unknown>): string[] {
  if (env.DATABASE_URL) return [];
  return ["DB_HOST", "DB_USER", "DB_NAME"]
    .filter((key) => !env[key])
    .map((key) => `${key} is required when DATABASE_URL is not set`);
}

export type Env = z.infer<typeof envSchema>;

export interface Config {
  aws: {
    region: string;
    queueUrl: string;
    bucket: string;
    sqsEndpoint?: string;
    s3Endpoint?: string;
  };
  database: {
    connectionString?: string;
    host?: string;
    port: number;
    user?: string;
    password?: string;
    database?: string;
    ssl: boolean;
  };
  pollIntervalMs: number;
  concurrency: number;
  pitsDir: string;
  workDir: string;
  tmpDir: string;
  logLevel: Env["RUNNER_LOG_LEVEL"];
  maxLogBytes: number;
  killGraceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid runner configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Validates the whole environment at once so an operator sees every bad variable in one message. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty string is how .env files and ECS say "unset"; treat it so, or defaults would never apply.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  const problems = [
    ...(parsed.error?.issues ?? []).map((issue) => {
      const name = issue.path.join(".") || "(environment)";
      const message = issue.code === "invalid_type" && cleaned[name] === undefined ? "is required" : issue.message;
      return `${name} ${message}`;
    }),
    ...databaseProblems(cleaned),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  return {
    aws: {
      region: env.AWS_REGION,
      queueUrl: env.AWS_SQS_QUEUE_URL,
      bucket: env.AWS_S3_BUCKET,
      sqsEndpoint: env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL,
      s3Endpoint: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
    },
    database: {
      connectionString: env.DATABASE_URL,
      host: env.DB_HOST,
      port: env.DB_PORT,
      user: env.DB_USER,
      password: env.DB_PASSWORD,
      database: env.DB_NAME,
      ssl: env.DB_SSL === "true",
    },
    pollIntervalMs: env.RUNNER_POLL_INTERVAL_MS,
    concurrency: env.RUNNER_CONCURRENCY,
    pitsDir: path.resolve(env.RUNNER_PITS_DIR),
    workDir: path.resolve(env.RUNNER_WORK_DIR),
    tmpDir: path.resolve(env.RUNNER_TMP_DIR),
    logLevel: env.RUNNER_LOG_LEVEL,
    maxLogBytes: env.RUNNER_MAX_LOG_BYTES,
    killGraceMs: env.RUNNER_KILL_GRACE_MS,
  };
}
