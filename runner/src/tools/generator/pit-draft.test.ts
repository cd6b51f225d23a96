import { describe, expect, it } from "vitest";
import { pitConfigSchema } from "../../pit-config/pit-config.schema";
import { buildPitConfig, parseField, parseList, renderPitJson, warningsFor } from "./pit-draft";

describe("parseList", () => {
  it("splits on commas, trims and drops empty items", () => {
    expect(parseList(" a, b ,,c ,")).toEqual(["a", "b", "c"]);
    expect(parseList("")).toEqual([]);
    expect(parseList("**/*.{py,txt}, lib/**")).toEqual(["**/*.{py,txt}", "lib/**"]);
  });
});

describe("parseField", () => {
  it("rejects ids that are not safe file names", () => {
    for (const bad of ["", "Has Caps", "a/b", "../up", "a b", "-lead"]) {
      expect(parseField("id", bad)).toHaveProperty("problem");
    }
    expect(parseField("id", "java-maven-bank-account-v1")).toEqual({ value: "java-maven-bank-account-v1" });
  });

  it("takes only positive whole milliseconds within the schema's cap", () => {
    expect(parseField("maxTimeoutMs", "60000")).toEqual({ value: 60000 });
    for (const bad of ["0", "-5", "1.5", "abc", "", "99999999"]) {
      expect(parseField("maxTimeoutMs", bad)).toHaveProperty("problem");
    }
  });

  it("says an empty text field must not be empty", () => {
    expect(parseField("testCommand", "   ")).toEqual({ problem: "must not be empty" });
  });
});

describe("buildPitConfig", () => {
  it("fills the Java/Maven defaults from the id alone", () => {
    const result = buildPitConfig({ id: "java-maven-sample-v1" });
    expect(result).toEqual({
      ok: true,
      pitId: "java-maven-sample-v1",
      config: { language: "java", buildTool: "maven", testCommand: "mvn -q test", maxTimeoutMs: 60000, studentFiles: ["src/main/**"] },
      warnings: [],
    });
  });

  it("suggests the language's own build tool and its test command", () => {
    const result = buildPitConfig({ id: "python-pytest-lists-v1", language: "python" });
    expect(result.ok && result.config).toMatchObject({
      buildTool: "pytest",
      testCommand: "/usr/bin/python3 -m pytest -q --junitxml=reports/junit.xml",
    });
    const node = buildPitConfig({ id: "javascript-node-x-v1", language: "javascript" });
    expect(node.ok && node.config.testCommand).toMatch(/^node --test .*--test-reporter=junit --test-reporter-destination=reports\/junit\.xml$/);
  });

  it("keeps lists only when they have items", () => {
    const result = buildPitConfig({ id: "java-maven-a-v1", setupCommands: "echo one, echo two", requiredFiles: "" });
    expect(result.ok && result.config).toEqual({
      language: "java",
      buildTool: "maven",
      testCommand: "mvn -q test",
      maxTimeoutMs: 60000,
      setupCommands: ["echo one", "echo two"],
      studentFiles: ["src/main/**"],
    });
  });

  it("takes studentFiles as globs, braces and all, and refuses requiredFiles outside them", () => {
    const result = buildPitConfig({ id: "python-pytest-a-v1", language: "python", studentFiles: "**/*.{py,csv}, data/**" });
    expect(result.ok && result.config.studentFiles).toEqual(["**/*.{py,csv}", "data/**"]);
    expect(buildPitConfig({ id: "java-maven-a-v1", requiredFiles: "pom.xml" })).toEqual({
      ok: false,
      problems: [{ field: "requiredFiles", message: "pom.xml: not something a submission may contribute (see --studentFiles)" }],
    });
  });

  it("accepts an unknown language and build tool with warnings, but needs a test command for them", () => {
    expect(buildPitConfig({ id: "rust-cargo-x-v1", language: "rust", buildTool: "cargo" })).toEqual({
      ok: false,
      problems: [{ field: "testCommand", message: 'is required: there is no default for buildTool "cargo"' }],
    });
    const result = buildPitConfig({ id: "rust-cargo-x-v1", language: "rust", buildTool: "cargo", testCommand: "cargo test" });
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings.join("\n")).toMatch(/language "rust".*\n.*buildTool "cargo"/);
  });

  it("reports every bad field at once, each by name", () => {
    const result = buildPitConfig({ language: "", maxTimeoutMs: "soon" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => p.field)).toEqual(["id", "language", "maxTimeoutMs"]);
  });
});

describe("warningsFor", () => {
  it("warns about ids off the naming convention", () => {
    expect(warningsFor("java-maven-bank-account-v1", "java", "maven")).toEqual([]);
    expect(warningsFor("bank", "java", "maven")[0]).toMatch(/convention/);
  });
});

describe("renderPitJson", () => {
  it("writes pretty JSON, required fields first, that the schema reads back", () => {
    const built = buildPitConfig({ id: "java-maven-a-v1", requiredFiles: "src/main/java/A.java" });
    if (!built.ok) throw new Error("expected a config");
    const text = renderPitJson(built.config);
    expect(text).toBe(
      '{\n  "language": "java",\n  "buildTool": "maven",\n  "testCommand": "mvn -q test",\n  "maxTimeoutMs": 60000,\n  "requiredFiles": [\n    "src/main/java/A.java"\n  ],\n  "studentFiles": [\n    "src/main/**"\n  ]\n}\n',
    );
    expect(pitConfigSchema.parse(JSON.parse(text))).toEqual(built.config);
  });
});
