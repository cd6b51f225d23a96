import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RUNNER_ROOT } from "../config";
import { MissingFilesError } from "../errors/runner-error";
import type { LoadedPit } from "../pit-config/pit-config.service";
import { prepareWorkspace } from "./prepare-workspace";

let base: string;
let ws: string;
let templateDir: string;
beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "prepare-"));
  ws = path.join(base, "ws");
  templateDir = path.join(base, "pit");
  await mkdir(path.join(ws, "src", "main"), { recursive: true });
  await mkdir(path.join(templateDir, "src", "test"), { recursive: true });
  await writeFile(path.join(templateDir, "pom.xml"), "<project>instructor</project>");
  await writeFile(path.join(templateDir, "src", "test", "T.java"), "instructor test");
});
afterEach(() => rm(base, { recursive: true, force: true }));

const pit = (config: Partial<LoadedPit["config"]> = {}): LoadedPit => ({
  pitId: "p",
  templateDir,
  config: { language: "java", buildTool: "maven", testCommand: "mvn -q test", maxTimeoutMs: 1000, ...config },
});

const OPTIONS = { studentFiles: [], templateFiles: [], reportPaths: [], guardsDir: path.join(RUNNER_ROOT, "guards") };

describe("prepareWorkspace", () => {
  it("accepts globs in requiredFiles and lists what is missing", async () => {
    await writeFile(path.join(ws, "src", "main", "A.java"), "class A {}");
    await expect(prepareWorkspace(pit({ requiredFiles: ["src/**/A.java"] }), ws, base, OPTIONS)).resolves.toBeDefined();
    const failure = await prepareWorkspace(pit({ requiredFiles: ["src/**/B.java", "README.md", "src/**/A.java"] }), ws, base, OPTIONS).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MissingFilesError);
    expect((failure as MissingFilesError).missing).toEqual(["src/**/B.java", "README.md"]);
  });

  it("lets the template win over the student's files, even a directory where a template file goes", async () => {
    await mkdir(path.join(ws, "pom.xml", "evil"), { recursive: true });
    await writeFile(path.join(ws, "src", "test"), "a file where the template has a folder");
    await writeFile(path.join(ws, "src", "main", "A.java"), "student code");
    await prepareWorkspace(pit(), ws, base, OPTIONS);
    expect(await readFile(path.join(ws, "pom.xml"), "utf8")).toBe("<project>instructor</project>");
    expect(await readFile(path.join(ws, "src", "test", "T.java"), "utf8")).toBe("instructor test");
    expect(await readFile(path.join(ws, "src", "main", "A.java"), "utf8")).toBe("student code");
  });

  it("gives Maven an offline settings.xml in the run's own home", async () => {
    const prepared = await prepareWorkspace(pit({ environment: { EXTRA: "1", MAVEN_OPTS: "-Xmx512m" } }), ws, base, OPTIONS);
    const settings = await readFile(path.join(prepared.home, ".m2", "settings.xml"), "utf8");
    expect(settings).toContain("<offline>true</offline>");
    expect(settings).toContain("<localRepository>/usr/share/maven-repo</localRepository>");
    expect(prepared.env).toMatchObject({ HOME: prepared.home, EXTRA: "1" });
    // The runner's JVM flags first, the PIT's after them (so it can override them), user.home last.
    expect(prepared.env.MAVEN_OPTS).toMatch(new RegExp(`^-XX:TieredStopAtLevel=1 -XX:\\+UseSerialGC .*-Xmx512m -Duser\\.home=${prepared.home}$`));
  });

  it("owns .mvn/: Surefire in Maven's JVM, the guard jar on the test classpath, and a key only the guard reads", async () => {
    await mkdir(path.join(ws, ".mvn", "jvm.config"), { recursive: true });
    const prepared = await prepareWorkspace(pit(), ws, base, OPTIONS);
    const config = await readFile(path.join(ws, ".mvn", "maven.config"), "utf8");
    expect(config.split("\n")).toEqual(expect.arrayContaining(["-B", "-Dstyle.color=never", "-DforkCount=0"]));
    expect(config).toContain(`-Dmaven.test.additionalClasspath=${path.join(OPTIONS.guardsDir, "java", "runner-guard.jar")}`);
    await expect(stat(path.join(ws, ".mvn", "jvm.config"))).rejects.toThrow();
    expect(prepared.guardKey).toMatch(/^[0-9a-f]{64}$/);
    const keyFile = prepared.env.RUNNER_GUARD_KEY_FILE ?? "";
    expect(keyFile.startsWith(prepared.tmp)).toBe(true);
    expect((await readFile(keyFile, "utf8")).trim()).toBe(prepared.guardKey);
    expect((await stat(keyFile)).mode & 0o077).toBe(0);
  });

  it("writes no Maven settings for other build tools", async () => {
    const prepared = await prepareWorkspace(pit({ buildTool: "pytest" }), ws, base, OPTIONS);
    expect(prepared.env.MAVEN_OPTS).toBeUndefined();
    await expect(stat(path.join(prepared.home, ".m2"))).rejects.toThrow();
  });
});
