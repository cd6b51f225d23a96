import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zipFolder } from "../src/local/zip-folder";
import { PitConfigService } from "../src/pit-config/pit-config.service";
import { RUNNER_DIR, runNpmScript, runTool } from "./helpers/run-tool";

const NODE_SAMPLES = path.join(RUNNER_DIR, "samples", "javascript-node-dummy-dev");
const PIT_ID = "javascript-node-calculator-v1";
// Grading reads JUnit reports, so the PIT's command must write one (the generator's node default).
const NODE_JUNIT =
  "node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=reports/junit.xml";

let scratch: string;
let pitsDir: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "try-pit-test-"));
  pitsDir = path.join(scratch, "pits");
  // The instructor's path: generate the config, then put the tests in the template folder.
  const generated = await runTool("pit-generator", [
    `--id=${PIT_ID}`,
    "--language=javascript",
    "--buildTool=node",
    `--testCommand=${NODE_JUNIT}`,
    "--maxTimeoutMs=30000",
    "--requiredFiles=calculator.js",
    `--pitsDir=${pitsDir}`,
  ]);
  expect(generated.code).toBe(0);
  await cp(path.join(RUNNER_DIR, "pits", "javascript-node-dummy-dev", "test"), path.join(pitsDir, PIT_ID, "test"), { recursive: true });
  // node 20's JUnit reporter does not create its folder.
  await mkdir(path.join(pitsDir, PIT_ID, "reports"), { recursive: true });
  await writeFile(path.join(pitsDir, PIT_ID, "reports", ".keep"), "");
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("try:pit grades a local submission with a generated PIT", () => {
  it("loads the generated PIT with PitConfigService", async () => {
    const pit = await new PitConfigService(pitsDir).load(PIT_ID);
    expect(pit.config).toEqual({
      language: "javascript",
      buildTool: "node",
      testCommand: NODE_JUNIT,
      maxTimeoutMs: 30000,
      requiredFiles: ["calculator.js"],
      studentFiles: ["**/*.{js,cjs,mjs,txt,csv,tsv,json,dat,data,in,out,md,yaml,yml,xml,html,css,png,jpg,jpeg,gif,svg}"],
    });
    expect(pit.templateDir).toBe(path.join(pitsDir, PIT_ID));
  });

  it("scores the reference solution folder 100 and exits 0", async () => {
    const result = await runNpmScript("try:pit", [PIT_ID, path.join(NODE_SAMPLES, "passing"), `--pitsDir=${pitsDir}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Status: {3}DONE$/m);
    expect(result.stdout).toMatch(/^Outcome: {2}passed$/m);
    expect(result.stdout).toMatch(/^Score: {4}100$/m);
  });

  it("scores a failing ZIP 0, still exits 0, and shows why", async () => {
    const zip = path.join(scratch, "failing.zip");
    await zipFolder(path.join(NODE_SAMPLES, "failing"), zip);
    const result = await runTool("try-pit", [PIT_ID, zip, `--pitsDir=${pitsDir}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Outcome: {2}failed$/m);
    expect(result.stdout).toMatch(/^Score: {4}0$/m);
    expect(result.stdout).toMatch(/^----- .*test output.* -----$/m);
    expect(result.stdout).toMatch(/^failed {2}multiply multiplies two numbers .*0 !== 42$/m);
  });

  it("prints the row's status, score and feedback as JSON with --json", async () => {
    const result = await runTool("try-pit", [PIT_ID, path.join(NODE_SAMPLES, "partial"), `--pitsDir=${pitsDir}`, "--json"]);
    expect(result.code).toBe(0);
    const row = JSON.parse(result.stdout) as { status: string; score: number; feedback: Record<string, unknown> };
    expect(row.status).toBe("DONE");
    expect(typeof row.score).toBe("number");
    expect(row.feedback).toMatchObject({ pitId: PIT_ID, timedOut: false });
    expect(Object.keys(row.feedback)).toEqual(expect.arrayContaining(["outcome", "message", "summary", "tests", "exitCode", "durationMs"]));
  });

  it("exits 1 when the submission cannot be graded, saying why", async () => {
    const empty = path.join(scratch, "empty-skeleton");
    await mkdir(empty, { recursive: true });
    await writeFile(path.join(empty, "README.txt"), "nothing yet\n");
    const missing = await runTool("try-pit", [PIT_ID, empty, `--pitsDir=${pitsDir}`]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^Outcome: {2}invalid_submission$/m);
    expect(missing.stdout).toContain("missing required files: calculator.js");

    const unknown = await runTool("try-pit", ["no-such-pit-v1", empty, `--pitsDir=${pitsDir}`]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain(`${path.join(pitsDir, "no-such-pit-v1.json")}: no such file (unknown PIT)`);
  });

  it("exits 2 on a usage error", async () => {
    const result = await runTool("try-pit", [PIT_ID]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: npm run try:pit --");
  });

  // Last in this block: it adds expectedTests to the PIT the tests above read.
  it("records the reference solution's tests with --record, and refuses a reference that fails one", async () => {
    const service = new PitConfigService(pitsDir);
    const refused = await runTool("try-pit", [PIT_ID, path.join(NODE_SAMPLES, "partial"), `--pitsDir=${pitsDir}`, "--record"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Not recorded: the reference solution does not pass 1 test(s): multiply multiplies two numbers.");
    expect((await service.loadConfig(PIT_ID)).expectedTests).toBeUndefined();

    const recorded = await runNpmScript("try:pit", [PIT_ID, path.join(NODE_SAMPLES, "passing"), `--pitsDir=${pitsDir}`, "--record"]);
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toContain(`Recorded 3 expected tests in ${service.configPath(PIT_ID)}.`);
    const config = await service.loadConfig(PIT_ID);
    expect(config.expectedTests).toEqual([
      { suite: null, name: "add sums two numbers" },
      { suite: null, name: "subtract takes the second from the first" },
      { suite: null, name: "multiply multiplies two numbers" },
    ]);
    expect(config.disabledTests).toBeUndefined();
    expect(config.requiredFiles).toEqual(["calculator.js"]);
    // The recorded list now decides: the partial solution still scores 2 of 3.
    const partial = await runTool("try-pit", [PIT_ID, path.join(NODE_SAMPLES, "partial"), `--pitsDir=${pitsDir}`, "--json"]);
    expect(JSON.parse(partial.stdout)).toMatchObject({ status: "DONE", score: 66.67 });
  });
});

describe("scaffolded PITs run with their default test command", () => {
  // The skeleton test fails on purpose, so an unfinished PIT grades 0, never 100.
  for (const [language, buildTool] of [
    ["javascript", "node"],
    ["python", "pytest"],
  ]) {
    it(`${buildTool}: an empty submission against the skeleton scores 0`, async () => {
      const id = `${language}-${buildTool}-skeleton-v1`;
      const generated = await runTool("pit-generator", [`--id=${id}`, `--language=${language}`, "--scaffold", `--pitsDir=${pitsDir}`]);
      expect(generated.code).toBe(0);
      const submission = path.join(scratch, `${id}-submission`);
      await mkdir(submission, { recursive: true });
      await writeFile(path.join(submission, "notes.txt"), "work in progress\n");
      const result = await runTool("try-pit", [id, submission, `--pitsDir=${pitsDir}`, "--output"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Score: {4}0$/m);
      expect(result.stdout).toContain("Replace this skeleton with the exercise's tests");
    });
  }
});
