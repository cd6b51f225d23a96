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
