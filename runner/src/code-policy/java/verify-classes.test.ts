import { execFileSync } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LoadedPit } from "../../pit-config/pit-config.service";
import { verifyCompiledClasses } from "./verify-classes";

const KEY = randomBytes(32).toString("hex");
const pit = (codePolicy?: LoadedPit["config"]["codePolicy"]): LoadedPit => ({
  pitId: "p",
  templateDir: "/nonexistent",
  config: { language: "java", buildTool: "maven", testCommand: "mvn -q test", maxTimeoutMs: 1000, ...(codePolicy ? { codePolicy } : {}) },
});

let ws: string;
/** Writes sources under the workspace and compiles them into target/classes, as Maven would. */
function compile(sources: Record<string, string>): void {
  const files = Object.entries(sources).map(([rel, text]) => {
    const file = path.join(ws, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  });
  execFileSync("javac", ["--release", "17", "-nowarn", "-d", path.join(ws, "target", "classes"), ...files], { stdio: "pipe" });
}

function record(seq: number, body: object): string {
  const b64 = Buffer.from(JSON.stringify(body)).toString("base64");
  return `\n@@runnerguard ${seq} ${b64} ${createHmac("sha256", Buffer.from(KEY, "hex")).update(`${seq}:${b64}`).digest("hex")}\n`;
}

/** What the guard would have printed for the classes as they are now, plus a plan of one test that passed. */
function guardOutput(classes: string[], gone: string[] = []): string {
  const hashes = Object.fromEntries([
    ...classes.map((c) => [c, createHash("sha256").update(readFileSync(path.join(ws, c))).digest("hex")]),
    ...gone.map((c) => [c, "0".repeat(64)]),
  ]);
  return opening(hashes) + record(3, { type: "plan", tests: [{ id: "t1", suite: "p.ATest", name: "one" }] }) + record(4, { type: "result", id: "t1", status: "passed" });
}

/** Records 1 (`open`: how many fingerprints, their digest) and 2 (the fingerprints), as runnerguard.Records writes them. */
function opening(hashes: Record<string, string>): string {
  const entries = Object.entries(hashes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = createHash("sha256");
  for (const [file, hash] of entries) digest.update(`${file}\n${hash}\n`);
  return record(1, { type: "open", files: String(entries.length), digest: digest.digest("hex") }) + record(2, { type: "classes", classes: Object.fromEntries(entries) });
}

const A = "src/main/java/p/A.java";
beforeEach(() => {
  ws = mkdtempSync(path.join(os.tmpdir(), "verify-classes-"));
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

describe("verifyCompiledClasses", () => {
  it("takes the guard's signed results when the classes are the ones it fingerprinted", async () => {
    compile({ [A]: "package p; public class A { int f() { return java.util.List.of(1).size(); } }" });
    const out = await verifyCompiledClasses({ pit: pit(), workspace: ws, studentFiles: [A], guardLines: guardOutput(["target/classes/p/A.class"]), guardKey: KEY });
    expect(out).toEqual({ findings: [], results: [expect.objectContaining({ suite: "p.ATest", name: "one", status: "passed" })] });
  });

  it("names the file and the API a student class uses, unless the PIT allows it", async () => {
    compile({ [A]: "package p; public class A { static { Runtime.getRuntime().addShutdownHook(null); } }" });
    const input = { workspace: ws, studentFiles: [A], guardLines: guardOutput(["target/classes/p/A.class"]), guardKey: KEY };
    const out = await verifyCompiledClasses({ ...input, pit: pit() });
    expect(out.findings).toEqual([{ file: A, api: "Runtime.addShutdownHook", rule: "java.lang.Runtime.addShutdownHook" }]);
    expect(out.results).toBeUndefined();
    expect((await verifyCompiledClasses({ ...input, pit: pit({ allow: ["java.lang.Runtime.addShutdownHook"] }) })).findings).toEqual([]);
  });

  it("refuses a class changed, added or removed after the guard fingerprinted it, and a source with no class", async () => {
    compile({ [A]: "package p; public class A {}", "src/main/java/p/B.java": "package p; class B {}" });
    const output = guardOutput(["target/classes/p/A.class", "target/classes/p/B.class"], ["target/classes/p/Gone.class"]);
    writeFileSync(path.join(ws, "target/classes/p/A.class"), Buffer.concat([readFileSync(path.join(ws, "target/classes/p/A.class")), Buffer.from([0])]));
    rmSync(path.join(ws, "target/classes/p/B.class"));
    writeFileSync(path.join(ws, "target/classes/p/New.class"), readFileSync(path.join(ws, "target/classes/p/A.class")));
    writeFileSync(path.join(ws, "src/main/java/p/Empty.java"), "// nothing here\n");
    const studentFiles = [A, "src/main/java/p/B.java", "src/main/java/p/Empty.java"];
    const out = await verifyCompiledClasses({ pit: pit(), workspace: ws, studentFiles, guardLines: output, guardKey: KEY });
    expect(out.findings.map((f) => [f.file, f.api])).toEqual(
      expect.arrayContaining([
        [A, "a class file that changed after it was compiled"],
        [A, "a class file that appeared after compilation"],
        ["src/main/java/p/B.java", "a class file that was removed after it was compiled"],
        ["target/classes/p/Gone.class", "a class file that was removed after it was compiled"],
        ["src/main/java/p/Empty.java", "no compiled class (nothing was compiled from it)"],
      ]),
    );
  });

  it("grades the XML (no results, a warning) when the guard did not report, and still checks the classes", async () => {
    compile({ [A]: "package p; public class A { void f() { System.exit(1); } }" });
    const forged = record(1, { type: "open", classes: {} }).replace(/[0-9a-f]{64}/, "0".repeat(64));
    const input = { pit: pit(), workspace: ws, studentFiles: [A], guardLines: `no guard here${forged}`, guardKey: KEY };
    // No test report either: the build stopped before the tests, nothing to warn about.
    expect((await verifyCompiledClasses(input)).warnings).toBeUndefined();
    mkdirSync(path.join(ws, "target", "surefire-reports"));
    writeFileSync(path.join(ws, "target", "surefire-reports", "TEST-p.ATest.xml"), "<testsuite/>");
    const out = await verifyCompiledClasses(input);
    expect(out.results).toBeUndefined();
    expect(out.warnings?.[0]).toContain("did not report");
    expect(out.findings).toEqual([{ file: A, api: "System.exit", rule: "java.lang.System.exit" }]);
  });

  it("fails closed once the guard has started: no plan, a missing record or lost lines grade nothing, never the XML", async () => {
    compile({ [A]: "package p; public class A {}" });
    const hashes = { "target/classes/p/A.class": createHash("sha256").update(readFileSync(path.join(ws, "target/classes/p/A.class"))).digest("hex") };
    mkdirSync(path.join(ws, "target", "surefire-reports"));
    writeFileSync(path.join(ws, "target", "surefire-reports", "TEST-p.ATest.xml"), "<testsuite/>");
    const base = { pit: pit(), workspace: ws, studentFiles: [A], guardKey: KEY };
    // The plan was lost (or never printed): the tests did not run under the guard.
    const noPlan = await verifyCompiledClasses({ ...base, guardLines: opening(hashes) });
    expect(noPlan).toEqual({ findings: [], results: [], warnings: [expect.stringContaining("reported no test plan")] });
    // Record 3 (the plan) missing, a result there: incomplete.
    const gap = await verifyCompiledClasses({ ...base, guardLines: opening(hashes) + record(4, { type: "result", id: "t1", status: "passed" }) });
    expect(gap).toEqual({ findings: [], results: [], warnings: [expect.stringContaining("records are incomplete")] });
    // Everything there, but the runner says it lost lines after them.
    const lost = await verifyCompiledClasses({ ...base, guardLines: guardOutput(["target/classes/p/A.class"]), guardLinesLost: true });
    expect(lost).toEqual({ findings: [], results: [], warnings: [expect.stringContaining("more than the runner keeps")] });
  });

  it("does not blame a class on fingerprints that did not all arrive, but still sees a changed one", async () => {
    compile({ [A]: "package p; public class A {}", "src/main/java/p/B.java": "package p; class B {}" });
    const hash = (c: string) => createHash("sha256").update(readFileSync(path.join(ws, c))).digest("hex");
    const all = { "target/classes/p/A.class": hash("target/classes/p/A.class"), "target/classes/p/B.class": hash("target/classes/p/B.class") };
    // open announced two fingerprints; only A's chunk arrived (and the numbering goes on without a gap).
    const open = opening(all).split("\n").filter(Boolean)[0]!;
    const lines = `\n${open}\n${record(2, { type: "classes", classes: { "target/classes/p/A.class": all["target/classes/p/A.class"] } })}`;
    const studentFiles = [A, "src/main/java/p/B.java"];
    const out = await verifyCompiledClasses({ pit: pit(), workspace: ws, studentFiles, guardLines: lines, guardKey: KEY });
    expect(out.findings).toEqual([]);
    expect(out.results).toEqual([]);
    writeFileSync(path.join(ws, "target/classes/p/A.class"), Buffer.concat([readFileSync(path.join(ws, "target/classes/p/A.class")), Buffer.from([0])]));
    const changed = await verifyCompiledClasses({ pit: pit(), workspace: ws, studentFiles, guardLines: lines, guardKey: KEY });
    expect(changed.findings.map((f) => f.api)).toEqual(["a class file that changed after it was compiled"]);
  });

  it("leaves the template's own classes to the instructor", async () => {
    compile({ "src/main/java/p/Helper.java": "package p; public class Helper { void f() { System.exit(1); } }", [A]: "package p; public class A {}" });
    const out = await verifyCompiledClasses({
      pit: pit(),
      workspace: ws,
      studentFiles: [A],
      guardLines: guardOutput(["target/classes/p/A.class", "target/classes/p/Helper.class"]),
      guardKey: KEY,
    });
    expect(out.findings).toEqual([]);
  });
});
