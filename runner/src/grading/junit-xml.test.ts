import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseJUnitXml, ReportParseError } from "./junit-xml";

const fixture = (name: string) => readFileSync(path.join(__dirname, "fixtures", name), "utf8");
const byName = (cases: ReturnType<typeof parseJUnitXml>, name: string) => cases.find((c) => c.name === name);

describe("parseJUnitXml on Surefire reports", () => {
  const cases = parseJUnitXml(fixture("surefire-mixed.xml"));

  it("reads every test case with its status", () => {
    expect(cases.map((c) => [c.name, c.status])).toEqual([
      ["errors", "error"],
      ["passes", "passed"],
      ["fails", "failed"],
      ["grüßeÄndern", "failed"],
      ["skipped", "skipped"],
      ["innerPasses", "passed"],
    ]);
  });

  it("keeps assertion messages and nested class names, non-ASCII intact", () => {
    expect(byName(cases, "fails")).toMatchObject({ suite: "fx.MixedTest", message: "one plus one ==> expected: <3> but was: <2>" });
    expect(byName(cases, "grüßeÄndern")?.message).toBe("Straße ≠ Strasse ==> expected: <ß> but was: <ss>");
    expect(byName(cases, "innerPasses")?.suite).toBe("fx.MixedTest$Inner");
    expect(byName(cases, "skipped")?.message).toBe("not ready");
    expect(byName(cases, "errors")?.message).toBe("boom");
  });

  it("never lets the <properties> block through", () => {
    expect(fixture("surefire-mixed.xml")).toContain("<property name=\"java.home\"");
    const text = JSON.stringify(cases);
    expect(text).not.toContain("java.home");
    expect(text).not.toContain("user.dir");
  });
});

describe("parseJUnitXml on pytest reports", () => {
  const cases = parseJUnitXml(fixture("pytest-mixed.xml"));

  it("marks setup errors as errors and decodes newlines in messages", () => {
    expect(byName(cases, "test_setup_error")).toMatchObject({ status: "error", message: 'failed on setup with "RuntimeError: fixture exploded"' });
    expect(byName(cases, "test_fails")?.message).toBe("AssertionError: one plus one\nassert (1 + 1) == 3");
    expect(byName(cases, "test_grüße")?.status).toBe("failed");
    expect(byName(cases, "test_skipped")).toMatchObject({ status: "skipped", message: "not ready" });
    expect(byName(cases, "test_inner_passes")?.suite).toBe("test_mixed.TestInner");
    expect(cases.filter((c) => c.loadFailure)).toEqual([]);
  });

  it("flags a collection error as a load failure", () => {
    expect(parseJUnitXml(fixture("pytest-collection-error.xml"))).toEqual([
      expect.objectContaining({ name: "test_calc", status: "error", loadFailure: true }),
    ]);
  });
});

describe("parseJUnitXml on node --test reports", () => {
  const cases = parseJUnitXml(fixture("node-mixed.xml"));

  it("reads testcases straight under <testsuites> and inside nested describe blocks", () => {
    expect(cases).toHaveLength(8);
    expect(byName(cases, "passes")).toMatchObject({ status: "passed", suite: null });
    expect(byName(cases, "deep passes")).toMatchObject({ status: "passed", suite: "outer > inner" });
    expect(byName(cases, "outer fails")).toMatchObject({ status: "failed", suite: "outer" });
  });

  it("takes the assertion message from the failure body, not the flattened attribute", () => {
    expect(byName(cases, "fails")?.message).toBe("one plus one\n\n2 !== 3");
    expect(byName(cases, "grüße ändern")?.message).toBe("Straße ≠ Strasse\n\n'ß' !== 'ss'");
    // node marks a thrown error `failure` too; the reporter gives no way to tell them apart.
    expect(byName(cases, "errors")).toMatchObject({ status: "failed", message: "boom" });
    expect(byName(cases, "todo")).toMatchObject({ status: "skipped", message: "later" });
  });

  it("flags a test file that failed to load", () => {
    expect(parseJUnitXml(fixture("node-syntax-error.xml"))).toEqual([
      expect.objectContaining({ status: "failed", loadFailure: true, suite: null }),
    ]);
    expect(cases.some((c) => c.loadFailure)).toBe(false);
  });
});

describe("parseJUnitXml on hostile or broken input", () => {
  it("rejects what is not a JUnit report", () => {
    expect(() => parseJUnitXml("<testsuite><testcase name='x'></testsuite>")).toThrow(ReportParseError);
    expect(() => parseJUnitXml("<html/>")).toThrow(/no <testsuites> or <testsuite> root/);
  });

  it("does not expand nested DOCTYPE entities (a report is written by untrusted code)", () => {
    const entities = ['<!ENTITY a0 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx">'];
    for (let i = 1; i < 12; i++) entities.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
    const xml = `<?xml version="1.0"?><!DOCTYPE t [${entities.join("")}]><testsuite><testcase name="x"><failure message="&a11;"/></testcase></testsuite>`;
    const [only] = parseJUnitXml(xml);
    expect(only?.status).toBe("failed");
    expect(only?.message?.length ?? 0).toBeLessThan(10_000);
  });

  it("stops at maxCases", () => {
    const many = `<testsuite>${"<testcase name='t'/>".repeat(50)}</testsuite>`;
    expect(parseJUnitXml(many, 10)).toHaveLength(10);
  });
});
