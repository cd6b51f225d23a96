import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { FAILURE_MODES, type FailurePolicy } from "./reliability/failure-policy";
import { DEFAULT_EXTRACT_LIMITS, type ExtractLimits } from "./extract/extract-zip";
import { DEFAULT_METRICS_NAMESPACE } from "./metrics/catalog";
import { DEFAULT_SANDBOX, NETWORK_POLICIES, SANDBOX_MODES, type SandboxSettings } from "./sandbox/sandbox-settings";

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
    RUNNER_GUARDS_DIR: nonEmpty.default(path.join(RUNNER_ROOT, "guards")),
    RUNNER_WORK_DIR: nonEmpty.default(path.join(os.tmpdir(), "runner", "work")),
    RUNNER_TMP_DIR: nonEmpty.default(path.join(os.tmpdir(), "runner", "tmp")),
    RUNNER_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    RUNNER_MAX_LOG_BYTES: positiveInt(1024 * 1024),
    RUNNER_KILL_GRACE_MS: z.coerce.number().int().min(0).default(2000),
    // CloudWatch namespace characters (EMF); the gauge interval is one metric period at the default.
    RUNNER_METRICS_NAMESPACE: z.string().regex(/^[a-zA-Z0-9._#:/-]{1,255}$/, "must be 1-255 of a-z A-Z 0-9 . _ # : / -").default(DEFAULT_METRICS_NAMESPACE),
    RUNNER_METRICS_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),

    RUNNER_FAILURE_MODE: z.enum(FAILURE_MODES).default("retry"),
    RUNNER_MAX_RECEIVES: positiveInt(8),
    RUNNER_RETRY_BASE_DELAY_SECONDS: z.coerce.number().int().min(0).max(43_200).default(10),
    RUNNER_RETRY_MAX_DELAY_SECONDS: z.coerce.number().int().min(0).max(43_200).default(300),
    RUNNER_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(21_600).default(30),
    RUNNER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(90_000),
    RUNNER_HEALTH_FILE: nonEmpty.default("/tmp/runner-health"),
    RUNNER_ZIP_MAX_ENTRIES: positiveInt(DEFAULT_EXTRACT_LIMITS.maxEntries),
    RUNNER_ZIP_MAX_TOTAL_BYTES: positiveInt(DEFAULT_EXTRACT_LIMITS.maxTotalBytes),
    RUNNER_ZIP_MAX_ENTRY_BYTES: positiveInt(DEFAULT_EXTRACT_LIMITS.maxEntryBytes),
    RUNNER_ZIP_MAX_RATIO: positiveInt(DEFAULT_EXTRACT_LIMITS.maxCompressionRatio),

    RUNNER_SANDBOX: z.enum(SANDBOX_MODES).default("auto"),
    RUNNER_SANDBOX_NETWORK: z.enum(NETWORK_POLICIES).default(DEFAULT_SANDBOX.network),
    RUNNER_SANDBOX_UID_BASE: z.coerce.number().int().min(1000).max(2 ** 31 - 100).default(DEFAULT_SANDBOX.uidBase),
    RUNNER_SANDBOX_MAX_CPU_SECONDS: positiveInt(DEFAULT_SANDBOX.limits.cpuSeconds),
    RUNNER_SANDBOX_MAX_MEMORY_BYTES: positiveInt(DEFAULT_SANDBOX.limits.memoryBytes),
    RUNNER_SANDBOX_MAX_FILE_BYTES: positiveInt(DEFAULT_SANDBOX.limits.fileBytes),
    RUNNER_SANDBOX_MAX_PROCESSES: positiveInt(DEFAULT_SANDBOX.limits.processes),
    RUNNER_SANDBOX_MAX_OPEN_FILES: positiveInt(DEFAULT_SANDBOX.limits.openFiles),
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
  /**
   * Runner-owned files that the test process loads or runs (the language guards, the sandbox launcher): readable
   * and executable by the sandbox uids, writable by no one of theirs. /opt/runner-guards in the image.
   */
  guardsDir: string;
  workDir: string;
  tmpDir: string;
  logLevel: Env["RUNNER_LOG_LEVEL"];
  maxLogBytes: number;
  killGraceMs: number;
  /** EMF metrics in the log lines (src/metrics/). */
  metrics: { namespace: string; intervalSeconds: number };
  reliability: FailurePolicy & {
    /** Visibility is extended every this many seconds, to twice that, while a submission runs. */
    heartbeatSeconds: number;
    /** How long a stopping runner lets submissions in flight finish before killing them. */
    shutdownGraceMs: number;
    healthFile: string;
  };
  extractLimits: ExtractLimits;
  sandbox: SandboxSettings;
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
    guardsDir: path.resolve(env.RUNNER_GUARDS_DIR),
    workDir: path.resolve(env.RUNNER_WORK_DIR),
    tmpDir: path.resolve(env.RUNNER_TMP_DIR),
    logLevel: env.RUNNER_LOG_LEVEL,
    maxLogBytes: env.RUNNER_MAX_LOG_BYTES,
    killGraceMs: env.RUNNER_KILL_GRACE_MS,
    metrics: { namespace: env.RUNNER_METRICS_NAMESPACE, intervalSeconds: env.RUNNER_METRICS_INTERVAL_SECONDS },
    reliability: {
      mode: env.RUNNER_FAILURE_MODE,
      maxReceives: env.RUNNER_MAX_RECEIVES,
      retryBaseDelaySeconds: env.RUNNER_RETRY_BASE_DELAY_SECONDS,
      retryMaxDelaySeconds: env.RUNNER_RETRY_MAX_DELAY_SECONDS,
      heartbeatSeconds: env.RUNNER_HEARTBEAT_SECONDS,
      shutdownGraceMs: env.RUNNER_SHUTDOWN_GRACE_MS,
      healthFile: path.resolve(env.RUNNER_HEALTH_FILE),
    },
    extractLimits: {
      maxEntries: env.RUNNER_ZIP_MAX_ENTRIES,
      maxTotalBytes: env.RUNNER_ZIP_MAX_TOTAL_BYTES,
      maxEntryBytes: env.RUNNER_ZIP_MAX_ENTRY_BYTES,
      maxCompressionRatio: env.RUNNER_ZIP_MAX_RATIO,
    },
    sandbox: {
      mode: env.RUNNER_SANDBOX,
      uidBase: env.RUNNER_SANDBOX_UID_BASE,
      limits: {
        cpuSeconds: env.RUNNER_SANDBOX_MAX_CPU_SECONDS,
        memoryBytes: env.RUNNER_SANDBOX_MAX_MEMORY_BYTES,
        fileBytes: env.RUNNER_SANDBOX_MAX_FILE_BYTES,
        processes: env.RUNNER_SANDBOX_MAX_PROCESSES,
        openFiles: env.RUNNER_SANDBOX_MAX_OPEN_FILES,
      },
      network: env.RUNNER_SANDBOX_NETWORK,
      // The launcher lives with the other runner-owned guard files.
      guardsDir: path.resolve(env.RUNNER_GUARDS_DIR),
    },
  };
}
