import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardResults, readGuardReport } from "../src/code-policy/java/guard-records";
import { parseJUnitXml } from "../src/grading/junit-xml";
import { prepareMavenRun } from "../src/prepare/maven-settings";
import { RUNNER_DIR } from "./helpers/harness";
import { runTool } from "./helpers/run-tool";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "maven-scaffold-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

function mvn(cwd: string, home: string, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Offline against Debian's packaged repository: the only Maven artifacts this machine has.
    const child = spawn("mvn", ["-q", "-o", "-Dmaven.repo.local=/usr/share/maven-repo", "test"], {
      cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, LANG: "C.UTF-8", ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the Maven scaffold", () => {
  it("builds offline with the pinned plugins and runs its (deliberately failing) skeleton test", async () => {
    const pitsDir = path.join(scratch, "pits");
    const generated = await runTool("pit-generator", ["--id=java-maven-skeleton-v1", "--scaffold", `--pitsDir=${pitsDir}`]);
    expect(generated.code).toBe(0);
    const project = path.join(scratch, "project");
    await cp(path.join(pitsDir, "java-maven-skeleton-v1"), project, { recursive: true });

    const result = await mvn(project, scratch);
    expect(result.code).not.toBe(0);
    const reports = path.join(project, "target", "surefire-reports");
    expect(await readdir(reports)).toContain("TEST-SkeletonTest.xml");
    const report = await readFile(path.join(reports, "TEST-SkeletonTest.xml"), "utf8");
    expect(report).toMatch(/tests="1"/);
    expect(report).toContain("Replace this skeleton with the exercise&apos;s tests");
  }, 120_000);

  it("the runner's guard names tests as Surefire does and reports, on a System.exit, every unfinished test once", async () => {
    const pitsDir = path.join(scratch, "pits-exit");
    expect((await runTool("pit-generator", ["--id=java-maven-exit-v1", "--scaffold", `--pitsDir=${pitsDir}`])).code).toBe(0);
    const project = path.join(scratch, "project-exit");
    await cp(path.join(pitsDir, "java-maven-exit-v1"), project, { recursive: true });
    await rm(path.join(project, "src", "test", "java", "SkeletonTest.java"));
    const write = async (file: string, text: string) => {
      await mkdir(path.dirname(path.join(project, file)), { recursive: true });
      await writeFile(path.join(project, file), text);
    };
    await write("src/main/java/Quitter.java", "public class Quitter { static void quit() { System.exit(0); } }\n");
    // Names Surefire gives nested, parameterized, repeated and display-named tests: the guard must give the same.
    await write(
      "src/test/java/ANamesTest.java",
      `import org.junit.jupiter.api.*; import org.junit.jupiter.params.*; import org.junit.jupiter.params.provider.*;
      class ANamesTest {
        @Test @DisplayName("a display name") void named() {}
        @ParameterizedTest @ValueSource(ints = {1, 2}) void param(int x) {}
        @RepeatedTest(2) void repeated() {}
        @Nested class Inner { @Test void inner() {} }
      }`,
    );
    // A whole class disabled: its tests are skipped, never unfinished once its turn came.
    await write(
      "src/test/java/BDisabledTest.java",
      `import org.junit.jupiter.api.*;
      @Disabled("off") class BDisabledTest { @Test void one() {} @Nested class Inner { @Test void two() {} } }`,
    );
    await write(
      "src/test/java/ZExitTest.java",
      `import org.junit.jupiter.api.*;
      @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
      class ZExitTest {
        @Test @Order(1) void passes() {}
        @Test @Order(2) void aborted() { Assumptions.assumeTrue(false, "not here"); }
        @Test @Order(3) @Disabled("not graded") void disabled() {}
        @Test @Order(4) void exits() { Quitter.quit(); }
        @Test @Order(5) void neverRuns() {}
      }`,
    );
    const home = path.join(scratch, "home-exit");
    const tmp = path.join(scratch, "tmp-exit");
    await mkdir(home, { recursive: true });
    await mkdir(tmp, { recursive: true });
    const maven = await prepareMavenRun({ workspace: project, home, tmp, guardsDir: path.join(RUNNER_DIR, "guards") });
    const result = await mvn(project, home, maven.env);
    expect(result.code).toBe(0);
    const report = readGuardReport(result.output, maven.guardKey);
    const cases = guardResults(report!) ?? [];
    const xml = await Promise.all(
      (await readdir(path.join(project, "target", "surefire-reports")))
        .filter((f) => f.endsWith(".xml"))
        .map(async (f) => parseJUnitXml(await readFile(path.join(project, "target", "surefire-reports", f), "utf8"))),
    );
    // Every test Surefire reported (the classes that finished) has the same suite and name in the guard's records.
    const byGuard = new Set(cases.map((c) => `${c.suite}#${c.name}#${c.status}`));
    for (const c of xml.flat()) expect(byGuard).toContain(`${c.suite}#${c.name}#${c.status}`);
    expect(xml.flat().length).toBeGreaterThanOrEqual(6);
    expect(cases.filter((c) => c.suite === "ZExitTest").map((c) => [c.name, c.status])).toEqual([
      ["passes", "passed"],
      ["aborted", "skipped"],
      ["disabled", "skipped"],
      ["exits", "error"],
      ["neverRuns", "error"],
    ]);
    // Skipped when its turn came before the exit, unfinished (an error) when the JVM ended first: never passed.
    const disabled = cases.filter((c) => (c.suite ?? "").startsWith("BDisabledTest")).map((c) => c.status);
    expect(disabled.length === 2 && (disabled.every((s) => s === "skipped") || disabled.every((s) => s === "error"))).toBe(true);
  }, 120_000);
});
