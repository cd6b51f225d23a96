import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, RUNNER_ROOT } from "./config";

const minimal = {
  AWS_REGION: "eu-south-2",
  AWS_SQS_QUEUE_URL: "https://sqs.eu-south-2.amazonaws.com/123456789012/submissions-queue",
  AWS_S3_BUCKET: "bucket",
  DATABASE_URL: "postgres://u:p@db:5432/app",
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies production defaults to the runner's own settings", () => {
    const config = loadConfig(minimal);
    expect(config.concurrency).toBe(2);
    expect(config.pitsDir).toBe(`${RUNNER_ROOT}/pits`);
    expect(config.aws.sqsEndpoint).toBeUndefined();
    expect(config.database.connectionString).toBe(minimal.DATABASE_URL);
  });

  it("defaults the reliability settings to production values and validates the failure mode", () => {
    expect(loadConfig(minimal).reliability).toEqual({
      mode: "retry",
      maxReceives: 8,
      retryBaseDelaySeconds: 10,
      retryMaxDelaySeconds: 300,
      heartbeatSeconds: 30,
      shutdownGraceMs: 90_000,
      healthFile: "/tmp/runner-health",
    });
    expect(loadConfig({ ...minimal, RUNNER_FAILURE_MODE: "error" }).reliability.mode).toBe("error");
    expect(problems({ ...minimal, RUNNER_FAILURE_MODE: "ignore", RUNNER_HEARTBEAT_SECONDS: "0" }).join("\n")).toMatch(
      /RUNNER_FAILURE_MODE[\s\S]*RUNNER_HEARTBEAT_SECONDS|RUNNER_HEARTBEAT_SECONDS[\s\S]*RUNNER_FAILURE_MODE/,
    );
  });

  it("names every missing variable in one error", () => {
    const found = problems({});
    expect(found.join("\n")).toMatch(/AWS_REGION is required/);
    expect(found.join("\n")).toMatch(/AWS_SQS_QUEUE_URL/);
    expect(found.join("\n")).toMatch(/AWS_S3_BUCKET/);
    expect(found.join("\n")).toMatch(/DB_HOST is required when DATABASE_URL is not set/);
  });

  it("rejects malformed values and names them", () => {
    const found = problems({ ...minimal, RUNNER_CONCURRENCY: "many", AWS_SQS_QUEUE_URL: "not a url", DATABASE_URL: "mysql://x" });
    expect(found.some((p) => p.startsWith("RUNNER_CONCURRENCY"))).toBe(true);
    expect(found.some((p) => p.startsWith("AWS_SQS_QUEUE_URL"))).toBe(true);
    expect(found.some((p) => p.startsWith("DATABASE_URL"))).toBe(true);
  });

  it("accepts DB_* variables instead of DATABASE_URL and treats empty strings as unset", () => {
    const { DATABASE_URL: _unused, ...rest } = minimal;
    const config = loadConfig({ ...rest, DATABASE_URL: "", DB_HOST: "db", DB_USER: "u", DB_NAME: "app", DB_PORT: "6543" });
    expect(config.database).toMatchObject({ host: "db", user: "u", database: "app", port: 6543 });
  });

  it("uses the generic endpoint override for both services unless a specific one is set", () => {
    const config = loadConfig({ ...minimal, AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9000" });
    expect(config.aws.sqsEndpoint).toBe("http://127.0.0.1:4566");
    expect(config.aws.s3Endpoint).toBe("http://127.0.0.1:9000");
  });
});

describe("loadConfig: archive limits and sandbox", () => {
  it("defaults to auto mode and production limits, and reads overrides", () => {
    const defaults = loadConfig(minimal);
    expect(defaults.sandbox).toMatchObject({ mode: "auto", uidBase: 10000, limits: { processes: 256, memoryBytes: 8 * 1024 ** 3 } });
    expect(defaults.extractLimits).toEqual({
      maxEntries: 10000,
      maxTotalBytes: 512 * 1024 ** 2,
      maxEntryBytes: 256 * 1024 ** 2,
      maxCompressionRatio: 200,
    });
    const custom = loadConfig({ ...minimal, RUNNER_SANDBOX: "uid", RUNNER_SANDBOX_MAX_PROCESSES: "64", RUNNER_ZIP_MAX_ENTRIES: "50" });
    expect(custom.sandbox.mode).toBe("uid");
    expect(custom.sandbox.limits.processes).toBe(64);
    expect(custom.extractLimits.maxEntries).toBe(50);
  });

  it("refuses an unknown sandbox mode and a sandbox uid in the system range", () => {
    const found = problems({ ...minimal, RUNNER_SANDBOX: "docker", RUNNER_SANDBOX_UID_BASE: "0" });
    expect(found.some((p) => p.startsWith("RUNNER_SANDBOX "))).toBe(true);
    expect(found.some((p) => p.startsWith("RUNNER_SANDBOX_UID_BASE"))).toBe(true);
  });
});
