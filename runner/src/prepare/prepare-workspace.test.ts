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

const OPTIONS = { studentFiles: [], reportPaths: [], guardsDir: path.join(RUNNER_ROOT, "guards") };

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
    expect(prepared.env).toMatchObject({ HOME: prepared.home, MAVEN_OPTS: `-Xmx512m -Duser.home=${prepared.home}`, EXTRA: "1" });
  });

  it("writes no Maven settings for other build tools", async () => {
    const prepared = await prepareWorkspace(pit({ buildTool: "pytest" }), ws, base, OPTIONS);
    expect(prepared.env.MAVEN_OPTS).toBeUndefined();
    await expect(stat(path.join(prepared.home, ".m2"))).rejects.toThrow();
  });
});
