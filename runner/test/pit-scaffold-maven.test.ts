import { spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
