import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { scaffoldFiles, writeScaffold } from "./scaffold";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("scaffoldFiles", () => {
  it("pins in pom.xml the plugin and JUnit versions Debian ships for offline builds", () => {
    const pom = scaffoldFiles("maven")?.["pom.xml"] ?? "";
    const pinned: [string, string][] = [
      ["maven-surefire-plugin", "2.22.3"],
      ["maven-compiler-plugin", "3.10.1"],
      ["maven-resources-plugin", "3.3.0"],
      ["junit-jupiter", "5.9.2"],
    ];
    for (const [artifact, version] of pinned) {
      expect(pom).toMatch(new RegExp(`<artifactId>${artifact}</artifactId>\\s*<version>${version.replaceAll(".", "\\.")}</version>`));
    }
  });

  it("leaves Surefire and the exit guard to the runner: no forkCount, no listener, no launcher dependency", () => {
    const files = scaffoldFiles("maven") ?? {};
    expect(files["pom.xml"]).not.toMatch(/forkCount|junit-platform-launcher|<configuration>/);
    expect(Object.keys(files).sort()).toEqual(["pom.xml", "src/test/java/SkeletonTest.java"]);
  });

  it("has a skeleton for each known build tool and none for others", () => {
    expect(Object.keys(scaffoldFiles("pytest") ?? {})).toEqual(["tests/test_skeleton.py"]);
    expect(Object.keys(scaffoldFiles("node") ?? {})).toContain("test/skeleton.test.js");
    expect(scaffoldFiles("cargo")).toBeUndefined();
  });
});

describe("writeScaffold", () => {
  it("creates missing files and keeps the instructor's existing ones", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "scaffold-"));
    await mkdir(path.join(dir, "test"));
    await writeFile(path.join(dir, "test", "skeleton.test.js"), "mine");
    const result = await writeScaffold(dir, scaffoldFiles("node") ?? {});
    expect(result).toEqual({ created: ["reports/.keep"], kept: ["test/skeleton.test.js"] });
    expect(await readFile(path.join(dir, "test", "skeleton.test.js"), "utf8")).toBe("mine");
  });
});
