import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJUnitXml } from "../src/grading/junit-xml";
import { runTool } from "./helpers/run-tool";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "maven-scaffold-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

function mvn(cwd: string, home: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Offline against Debian's packaged repository: the only Maven artifacts this machine has.
    const child = spawn("mvn", ["-q", "-o", "-Dmaven.repo.local=/usr/share/maven-repo", "test"], {
      cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, LANG: "C.UTF-8" },
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

  it("reports, on a System.exit in the code under test, every unfinished test once: skipped, aborted or never run", async () => {
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
    // A whole class disabled: Surefire writes its report, so the guard must not list its test again.
    await write(
      "src/test/java/ADisabledTest.java",
      `import org.junit.jupiter.api.*;
      @Disabled("off") class ADisabledTest { @Test void one() {} @Nested class Inner { @Test void two() {} } }`,
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

    const result = await mvn(project, scratch);
    expect(result.code).toBe(86);
    const reports = path.join(project, "target", "surefire-reports");
    expect((await readdir(reports)).filter((f) => f.endsWith(".xml")).sort()).toEqual([
      "TEST-ADisabledTest.xml",
      "TEST-grader.ExitGuard.xml",
    ]);
    const cases = parseJUnitXml(await readFile(path.join(reports, "TEST-grader.ExitGuard.xml"), "utf8"));
    expect(cases.map((c) => [c.suite, c.name, c.status])).toEqual([
      ["ZExitTest", "passes", "passed"],
      ["ZExitTest", "aborted", "skipped"],
      ["ZExitTest", "disabled", "skipped"],
      ["ZExitTest", "exits", "error"],
      ["ZExitTest", "neverRuns", "error"],
    ]);
  }, 120_000);
});
