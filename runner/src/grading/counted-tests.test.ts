import { describe, expect, it } from "vitest";
import { templateTestMatcher } from "./counted-tests";

describe("templateTestMatcher", () => {
  it("maps a Maven suite, nested classes included, to the template's test source", () => {
    const isTemplate = templateTestMatcher("maven", ["pom.xml", "src/test/java/dev/dummy/BankAccountTest.java"]);
    expect(isTemplate({ suite: "dev.dummy.BankAccountTest", name: "a" })).toBe(true);
    expect(isTemplate({ suite: "dev.dummy.BankAccountTest$Nested", name: "a" })).toBe(true);
    expect(isTemplate({ suite: "dev.dummy.MyOwnTest", name: "a" })).toBe(false);
    expect(isTemplate({ suite: null, name: "a" })).toBe(false);
  });

  it("maps a pytest module path, with or without a class, and a module that failed to collect", () => {
    const isTemplate = templateTestMatcher("pytest", ["conftest.py", "tests/test_shapes.py"]);
    expect(isTemplate({ suite: "tests.test_shapes", name: "test_area" })).toBe(true);
    expect(isTemplate({ suite: "tests.test_shapes.TestCircle", name: "test_area" })).toBe(true);
    expect(isTemplate({ suite: null, name: "tests.test_shapes" })).toBe(true);
    expect(isTemplate({ suite: "test_mine", name: "test_x" })).toBe(false);
  });

  it("counts every node test: its reporter names no file, and admission keeps student test files out", () => {
    expect(templateTestMatcher("node", [])({ suite: null, name: "anything" })).toBe(true);
  });
});
