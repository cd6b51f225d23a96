import { describe, expect, it } from "vitest";
import { askForPit, type InteractiveOptions, type Prompter } from "./interactive";

/** Answers questions from a script and records what was asked and warned. */
function scripted(answers: string[]): Prompter & { questions: string[]; warnings: string[] } {
  const queue = [...answers];
  const questions: string[] = [];
  const warnings: string[] = [];
  return {
    questions,
    warnings,
    async ask(question) {
      questions.push(question);
      const next = queue.shift();
      if (next === undefined) throw new Error(`no scripted answer for: ${question}`);
      return next;
    },
    say() {},
    warn(line) {
      warnings.push(line);
    },
  };
}

const options = (existing: string[] = [], extra: Partial<InteractiveOptions> = {}): InteractiveOptions => ({
  initial: {},
  scaffold: undefined,
  force: false,
  configPath: (id) => `/pits/${id}.json`,
  exists: async (file) => existing.includes(file),
  ...extra,
});

describe("askForPit", () => {
  it("takes every default on Enter and offers the scaffold for a known build tool", async () => {
    const prompter = scripted(["java-maven-bank-account-v1", "", "", "", "", "", "", "", ""]);
    const result = await askForPit(prompter, options());
    expect(result).toEqual({
      cancelled: false,
      overwrite: false,
      scaffold: true,
      draft: {
        id: "java-maven-bank-account-v1",
        language: "java",
        buildTool: "maven",
        testCommand: "mvn -q test",
        maxTimeoutMs: "60000",
        setupCommands: "",
        requiredFiles: "",
        studentFiles: "src/main/**",
      },
    });
    expect(prompter.questions[4]).toBe("Time limit in ms [60000]: ");
    expect(prompter.questions[7]).toBe("What a submission may contribute, comma-separated globs (everything else is ignored) [src/main/**]: ");
    expect(prompter.warnings).toEqual([]);
  });

  it("asks again after an invalid id or timeout, naming the problem", async () => {
    const prompter = scripted(["", "Bad Id", "java-maven-a-v1", "", "", "", "-1", "90000", "", "", "", "n"]);
    const result = await askForPit(prompter, options());
    expect(result.cancelled === false && result.draft).toMatchObject({ id: "java-maven-a-v1", maxTimeoutMs: "90000" });
    expect(result.cancelled === false && result.scaffold).toBe(false);
    expect(prompter.warnings).toEqual([
      "id is required",
      expect.stringMatching(/^id must be 1-100 characters/),
      expect.stringMatching(/^maxTimeoutMs must be a positive whole number/),
    ]);
  });

  it("accepts an unknown language and build tool with a warning, and then needs a test command", async () => {
    const prompter = scripted(["rust-cargo-x-v1", "rust", "cargo", "", "cargo test", "", "", "", "src/**"]);
    const result = await askForPit(prompter, options());
    expect(result.cancelled === false && result.draft).toMatchObject({ language: "rust", buildTool: "cargo", testCommand: "cargo test", studentFiles: "src/**" });
    expect(prompter.warnings).toEqual([
      expect.stringMatching(/^Warning: language "rust"/),
      expect.stringMatching(/^Warning: buildTool "cargo"/),
      "testCommand must not be empty",
    ]);
    // No scaffold question for a build tool without a template.
    expect(prompter.questions.some((q) => q.includes("template folder"))).toBe(false);
  });

  it("stops without writing when the instructor declines to overwrite an existing PIT", async () => {
    const prompter = scripted(["java-maven-a-v1", ""]);
    const result = await askForPit(prompter, options(["/pits/java-maven-a-v1.json"]));
    expect(result).toEqual({ cancelled: true, reason: "Nothing written: /pits/java-maven-a-v1.json was left as it is." });
    expect(prompter.questions[1]).toBe("/pits/java-maven-a-v1.json already exists. Overwrite it? [y/N] ");
  });

  it("does not ask about overwriting with --force", async () => {
    const prompter = scripted(["java-maven-a-v1", "", "", "", "", "", "", "", "n"]);
    const result = await askForPit(prompter, options(["/pits/java-maven-a-v1.json"], { force: true }));
    expect(result).toMatchObject({ cancelled: false, overwrite: true, scaffold: false });
    expect(prompter.questions.some((q) => q.includes("Overwrite"))).toBe(false);
  });

  it("goes on with overwrite set when the instructor says yes, and offers flag values as defaults", async () => {
    const prompter = scripted(["", "maybe", "yes", "", "", "", "", "", "", "", ""]);
    const result = await askForPit(
      prompter,
      options(["/pits/python-pytest-x-v1.json"], { initial: { id: "python-pytest-x-v1", language: "python" }, scaffold: false }),
    );
    expect(result).toMatchObject({ cancelled: false, overwrite: true, scaffold: false, draft: { id: "python-pytest-x-v1", buildTool: "pytest" } });
    expect(prompter.warnings).toContain("Please answer y or n.");
  });
});
