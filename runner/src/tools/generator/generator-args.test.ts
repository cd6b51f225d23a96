import { describe, expect, it } from "vitest";
import { CliError } from "../cli-error";
import { parseGeneratorArgs } from "./generator-args";

describe("parseGeneratorArgs", () => {
  it("is interactive with no flags, or only --pitsDir and --scaffold", () => {
    expect(parseGeneratorArgs([]).interactive).toBe(true);
    const args = parseGeneratorArgs(["--pitsDir=/tmp/p", "--scaffold"]);
    expect(args).toMatchObject({ interactive: true, pitsDir: "/tmp/p", scaffold: true, draft: {} });
  });

  it("is non-interactive as soon as a config flag or --force is given", () => {
    const args = parseGeneratorArgs(["--id=java-maven-a-v1", "--testCommand", "mvn -q test", "--maxTimeoutMs=5000"]);
    expect(args).toMatchObject({
      interactive: false,
      force: false,
      scaffold: undefined,
      draft: { id: "java-maven-a-v1", testCommand: "mvn -q test", maxTimeoutMs: "5000" },
    });
    expect(parseGeneratorArgs(["--force"]).interactive).toBe(false);
    expect(parseGeneratorArgs(["--id=x", "--interactive"]).interactive).toBe(true);
  });

  it("refuses unknown flags and flags missing their value with a usage error", () => {
    for (const argv of [["--bogus"], ["--id"], ["positional"]]) {
      let caught: unknown;
      try {
        parseGeneratorArgs(argv);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CliError);
      expect((caught as CliError).exitCode).toBe(2);
      expect((caught as CliError).message).toContain("Usage:");
    }
  });
});
