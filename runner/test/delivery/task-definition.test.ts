import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { envSchema, loadConfig } from "../../src/config";

const RUNNER_DIR = path.resolve(__dirname, "..", "..");
const REPO_DIR = path.dirname(RUNNER_DIR);
const text = readFileSync(path.join(RUNNER_DIR, "ecs", "task-definition.json"), "utf8");
const dockerfile = readFileSync(path.join(RUNNER_DIR, "Dockerfile"), "utf8");

/** The placeholders a deploy fills in (backend.md "Deployment" lists them). */
const PLACEHOLDERS = [
  "AWS_REGION",
  "DB_HOST",
  "DB_NAME",
  "DB_SECRET_ARN",
  "ECR_IMAGE",
  "EXECUTION_ROLE_ARN",
  "S3_BUCKET",
  "SQS_QUEUE_URL",
  "TASK_ROLE_ARN",
];

const nameValue = z.strictObject({ name: z.string(), value: z.string() });
const nameValueFrom = z.strictObject({ name: z.string(), valueFrom: z.string() });
const ulimit = z.strictObject({ name: z.string(), softLimit: z.number().int(), hardLimit: z.number().int() });
const container = z.strictObject({
  name: z.string(),
  image: z.string(),
  essential: z.literal(true),
  stopTimeout: z.number().int(),
  environment: z.array(nameValue),
  secrets: z.array(nameValueFrom),
  logConfiguration: z.strictObject({ logDriver: z.string(), options: z.record(z.string(), z.string()) }),
  healthCheck: z.strictObject({
    command: z.array(z.string()),
    interval: z.number(),
    timeout: z.number(),
    retries: z.number(),
    startPeriod: z.number(),
  }),
  ulimits: z.array(ulimit),
  linuxParameters: z.strictObject({ capabilities: z.strictObject({ drop: z.array(z.string()) }) }),
});
// Strict: a misspelt key (ECS would reject it) fails here instead of at register time.
const taskDefinitionSchema = z.strictObject({
  runtimePlatform: z.strictObject({ operatingSystemFamily: z.literal("LINUX"), cpuArchitecture: z.literal("X86_64") }),
  family: z.string(),
  requiresCompatibilities: z.array(z.string()),
  networkMode: z.string(),
  cpu: z.string(),
  memory: z.string(),
  ephemeralStorage: z.strictObject({ sizeInGiB: z.number().int() }),
  taskRoleArn: z.string(),
  executionRoleArn: z.string(),
  containerDefinitions: z.array(container).length(1),
});
const task = taskDefinitionSchema.parse(JSON.parse(text));
const runner = task.containerDefinitions[0]!;

/** Fargate's CPU units -> allowed memory (MiB) range, in 1 GiB steps above 1 GiB. */
const FARGATE_MEMORY: Record<string, [number, number]> = {
  "1024": [2048, 8192],
  "2048": [4096, 16384],
  "4096": [8192, 30720],
};

function render(values: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${name}`);
    return value;
  });
}

describe("ECS task definition template", () => {
  it("is a Fargate task with a valid CPU/memory pair sized for two Java runs at once", () => {
    expect(task.requiresCompatibilities).toEqual(["FARGATE"]);
    expect(task.networkMode).toBe("awsvpc");
    const [min, max] = FARGATE_MEMORY[task.cpu] ?? [0, -1];
    const memory = Number(task.memory);
    expect(memory).toBeGreaterThanOrEqual(min);
    expect(memory).toBeLessThanOrEqual(max);
    expect(memory % 1024).toBe(0);
    // Maven's JVM plus the forked surefire JVM take about 1.5 GiB per submission.
    const concurrency = Number(runner.environment.find((e) => e.name === "RUNNER_CONCURRENCY")?.value);
    expect(memory / concurrency).toBeGreaterThanOrEqual(1536);
    expect(task.ephemeralStorage.sizeInGiB).toBeGreaterThanOrEqual(21);
    expect(task.ephemeralStorage.sizeInGiB).toBeLessThanOrEqual(200);
  });

  it("uses only the documented placeholders and hard-codes no account id", () => {
    const used = [...new Set([...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]))].sort();
    expect(used).toEqual(PLACEHOLDERS);
    expect(runner.image).toBe("${ECR_IMAGE}");
    expect(text).not.toMatch(/\b\d{12}\b/);
    const deployment = readFileSync(path.join(REPO_DIR, "backend.md"), "utf8").split(/^## Deployment/m)[1] ?? "";
    for (const name of PLACEHOLDERS) expect(deployment, `backend.md documents ${name}`).toContain(`\${${name}}`);
  });

  it("gives the container time to finish a submission after SIGTERM", () => {
    // 120 s is Fargate's maximum; the runner's shutdown grace (~90 s) fits inside it.
    expect(runner.stopTimeout).toBe(120);
  });

  it("sends logs to CloudWatch with awslogs", () => {
    expect(runner.logConfiguration.logDriver).toBe("awslogs");
    expect(runner.logConfiguration.options).toMatchObject({
      "awslogs-group": expect.stringMatching(/^\/ecs\//),
      "awslogs-region": "${AWS_REGION}",
      "awslogs-stream-prefix": expect.any(String),
    });
  });

  it("runs the same health check as the image", () => {
    const imageCheck = /HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(dockerfile)?.[1];
    expect(imageCheck).toBeDefined();
    expect(runner.healthCheck.command).toEqual(["CMD", ...(JSON.parse(imageCheck!) as string[])]);
    expect(runner.healthCheck.command.join(" ")).toContain("scripts/healthcheck.js");
    expect(runner.healthCheck.startPeriod).toBeGreaterThanOrEqual(30);
  });

  it("sets only variables the runner reads, with database credentials from Secrets Manager", () => {
    const known = Object.keys(envSchema.shape);
    const names = [...runner.environment, ...runner.secrets].map((v) => v.name);
    expect(names.filter((n) => !known.includes(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
    const plain = runner.environment.map((e) => e.name);
    for (const secret of ["DB_USER", "DB_PASSWORD", "DATABASE_URL"]) expect(plain).not.toContain(secret);
    expect(runner.secrets.map((s) => s.name).sort()).toEqual(["DB_PASSWORD", "DB_USER"]);
    for (const s of runner.secrets) expect(s.valueFrom).toMatch(/^\$\{DB_SECRET_ARN\}:[a-z]+::$/);
  });

  it("renders to an environment the runner accepts", () => {
    const rendered = taskDefinitionSchema.parse(
      JSON.parse(
        render({
          AWS_REGION: "eu-south-2",
          DB_HOST: "db.example.internal",
          DB_NAME: "evaluation",
          DB_SECRET_ARN: "arn:aws:secretsmanager:eu-south-2:000000000000:secret:db-AbCdEf",
          ECR_IMAGE: "registry.example/uoc-tfm/runner:latest",
          EXECUTION_ROLE_ARN: "arn:aws:iam::000000000000:role/runner-execution",
          S3_BUCKET: "submissions-bucket",
          SQS_QUEUE_URL: "https://sqs.eu-south-2.amazonaws.com/000000000000/submissions-queue",
          TASK_ROLE_ARN: "arn:aws:iam::000000000000:role/runner-task",
        }),
      ),
    );
    const container = rendered.containerDefinitions[0]!;
    const env = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
    // ECS resolves the secrets into the environment at start.
    const config = loadConfig({ ...env, DB_USER: "runner", DB_PASSWORD: "secret" });
    expect(config.database).toMatchObject({ host: "db.example.internal", user: "runner", ssl: true });
    expect(config.aws.queueUrl).toContain("submissions-queue");
  });

  it("limits open files and processes", () => {
    const limits = Object.fromEntries(runner.ulimits.map((u) => [u.name, u]));
    for (const name of ["nofile", "nproc"]) {
      expect(limits[name], name).toBeDefined();
      expect(limits[name]!.softLimit).toBeLessThanOrEqual(limits[name]!.hardLimit);
    }
  });

  it("keeps the capabilities the runner's node-runner binary is granted", () => {
    // A file capability outside the bounding set makes exec fail, so dropping one breaks startup.
    const granted = /setcap ([a-z_,]+)\+ep/.exec(dockerfile)?.[1]?.split(",") ?? [];
    expect(granted).toContain("cap_setuid");
    const dropped = runner.linuxParameters.capabilities.drop.map((c) => `cap_${c.toLowerCase()}`);
    expect(dropped.filter((c) => granted.includes(c))).toEqual([]);
  });
});
