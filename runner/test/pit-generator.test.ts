import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PitConfigService } from "../src/pit-config/pit-config.service";
import { runNpmScript, runTool } from "./helpers/run-tool";

let pitsDir: string;
beforeEach(async () => {
  pitsDir = await mkdtemp(path.join(os.tmpdir(), "pits-"));
});
afterEach(() => rm(pitsDir, { recursive: true, force: true }));

const SPEC_FLAGS = ["--id=java-maven-sample-v1", "--language=java", "--buildTool=maven", "--testCommand=mvn -q test", "--maxTimeoutMs=60000"];

describe("generate:pit with flags", () => {
  it("writes a config PitConfigService loads, and prints a summary", async () => {
    const result = await runNpmScript("generate:pit", [...SPEC_FLAGS, `--pitsDir=${pitsDir}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Created PIT java-maven-sample-v1");
    expect(result.stdout).toContain(path.join(pitsDir, "java-maven-sample-v1.json"));
    expect(result.stdout).toContain("test command: mvn -q test");
    expect(result.stdout).toContain("timeout:      60000 ms");
    const config = await new PitConfigService(pitsDir).loadConfig("java-maven-sample-v1");
    expect(config).toEqual({ language: "java", buildTool: "maven", testCommand: "mvn -q test", maxTimeoutMs: 60000, studentFiles: ["src/main/**"] });
  });

  it("refuses to replace an existing PIT unless --force is given", async () => {
    const file = path.join(pitsDir, "java-maven-sample-v1.json");
    await writeFile(file, '{"language":"java","buildTool":"maven","testCommand":"mine","maxTimeoutMs":5}\n');
    const refused = await runTool("pit-generator", [...SPEC_FLAGS, `--pitsDir=${pitsDir}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`PIT "java-maven-sample-v1" already exists at ${file}; pass --force to overwrite it.`);
    expect(await readFile(file, "utf8")).toContain('"mine"');

    const forced = await runTool("pit-generator", [...SPEC_FLAGS, "--force", `--pitsDir=${pitsDir}`]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("Overwrote PIT java-maven-sample-v1");
    expect((await new PitConfigService(pitsDir).loadConfig("java-maven-sample-v1")).testCommand).toBe("mvn -q test");
  });

  it("names every bad flag, exits 2 and writes nothing", async () => {
    const result = await runTool("pit-generator", ["--id=Not Safe/..", "--maxTimeoutMs=soon", "--requiredFiles=a.java", `--pitsDir=${pitsDir}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^--id must be/m);
    expect(result.stderr).toMatch(/^--maxTimeoutMs must be a positive whole number of milliseconds, got "soon"/m);
    expect(await readdir(pitsDir)).toEqual([]);
  });

  it("accepts an unknown toolchain with a warning", async () => {
    const result = await runTool("pit-generator", [
      "--id=rust-cargo-strings-v1",
      "--language=rust",
      "--buildTool=cargo",
      "--testCommand=cargo test --offline",
      "--setupCommands=cargo --version, rustc --version",
      `--pitsDir=${pitsDir}`,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Warning: language "rust" is not one of java, python, javascript');
    expect(result.stderr).toContain('Warning: buildTool "cargo" is not one of');
    const config = await new PitConfigService(pitsDir).loadConfig("rust-cargo-strings-v1");
    expect(config.setupCommands).toEqual(["cargo --version", "rustc --version"]);
  });
});

describe("generate:pit interactive, answers on stdin", () => {
  it("asks for each field, applies defaults and writes the config", async () => {
    const answers = ["java-maven-bank-account-v1", "", "", "", "90000", "", "src/main/java/BankAccount.java", "", "n", ""].join("\n");
    const result = await runTool("pit-generator", [`--pitsDir=${pitsDir}`], answers);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("PIT id, e.g. java-maven-bank-account-v1: ");
    expect(result.stdout).toContain("Test command [mvn -q test]: ");
    expect(result.stdout).toContain("Time limit in ms [60000]: ");
    expect(result.stdout).toContain("Created PIT java-maven-bank-account-v1");
    const config = await new PitConfigService(pitsDir).loadConfig("java-maven-bank-account-v1");
    expect(config).toEqual({
      language: "java",
      buildTool: "maven",
      testCommand: "mvn -q test",
      maxTimeoutMs: 90000,
      requiredFiles: ["src/main/java/BankAccount.java"],
      studentFiles: ["src/main/**"],
    });
    // "n" to the scaffold question: no template folder.
    expect(await readdir(pitsDir)).toEqual(["java-maven-bank-account-v1.json"]);
  });

  it("asks before overwriting: no keeps the file, yes replaces it", async () => {
    const file = path.join(pitsDir, "python-pytest-lists-v1.json");
    const original = '{"language":"python","buildTool":"pytest","testCommand":"old","maxTimeoutMs":1000}\n';
    await writeFile(file, original);

    const declined = await runTool("pit-generator", [`--pitsDir=${pitsDir}`], "python-pytest-lists-v1\nn\n");
    expect(declined.code).toBe(1);
    expect(declined.stdout).toContain(`${file} already exists. Overwrite it? [y/N] `);
    expect(declined.stderr).toContain("Nothing written");
    expect(await readFile(file, "utf8")).toBe(original);

    const accepted = await runTool("pit-generator", [`--pitsDir=${pitsDir}`], "python-pytest-lists-v1\ny\npython\n\n\n\n\n\n\ny\n");
    expect(accepted.code).toBe(0);
    const config = await new PitConfigService(pitsDir).loadConfig("python-pytest-lists-v1");
    expect(config.testCommand).toBe("/usr/bin/python3 -m pytest -q --junitxml=reports/junit.xml");
    expect(await readFile(path.join(pitsDir, "python-pytest-lists-v1", "tests", "test_skeleton.py"), "utf8")).toContain("def test_");
  });

  it("fails without writing when the input ends before the last question", async () => {
    const result = await runTool("pit-generator", [`--pitsDir=${pitsDir}`], "java-maven-a-v1\njava\n");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Input ended before every question was answered; nothing written.");
    expect(await readdir(pitsDir)).toEqual([]);
  });
});
