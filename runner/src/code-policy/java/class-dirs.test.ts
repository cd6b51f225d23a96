import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClassInfo } from "./class-file";
import { sourceOf } from "./class-dirs";

let workspace: string;
const info = (name: string, sourceFile: string): ClassInfo => ({ name, superName: "java/lang/Object", interfaces: [], sourceFile, classRefs: [] }) as unknown as ClassInfo;
const STUDENT = "src/main/java/dev/other/Provided.java";

beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), "class-dirs-"));
  // The template's own main source, laid over the submission: dev/dummy/Provided.java declares Provided.
  await mkdir(path.join(workspace, "src/main/java/dev/dummy"), { recursive: true });
  await writeFile(path.join(workspace, "src/main/java/dev/dummy/Provided.java"), "package dev.dummy;\n// This class is given.\npublic class Provided { static class Inner {} }\n");
  await mkdir(path.join(workspace, "src/main/java/dev/other"), { recursive: true });
  await writeFile(path.join(workspace, STUDENT), "package dev.dummy;\nclass Sneaky { static { System.exit(0); } }\nclass Provided$Sneaky {}\nclass Inner {}\nclass is {}\n");
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

describe("sourceOf", () => {
  it("leaves the template's classes to the instructor, nested ones too", () => {
    expect(sourceOf(info("dev/dummy/Provided", "Provided.java"), "target/classes/dev/dummy/Provided.class", [STUDENT], workspace)).toBeUndefined();
    expect(sourceOf(info("dev/dummy/Provided$Inner", "Provided.java"), "target/classes/dev/dummy/Provided$Inner.class", [STUDENT], workspace)).toBeUndefined();
  });

  it("gives the student a class their file declares in the template's package, under the template's file name", () => {
    expect(sourceOf(info("dev/dummy/Sneaky", "Provided.java"), "target/classes/dev/dummy/Sneaky.class", [STUDENT], workspace)).toBe(STUDENT);
    // A top-level class named with a $, one named like the template's nested class, one named by a comment's word.
    expect(sourceOf(info("dev/dummy/Provided$Sneaky", "Provided.java"), "target/classes/dev/dummy/Provided$Sneaky.class", [STUDENT], workspace)).toBe(STUDENT);
    expect(sourceOf(info("dev/dummy/Inner", "Provided.java"), "target/classes/dev/dummy/Inner.class", [STUDENT], workspace)).toBe(STUDENT);
    expect(sourceOf(info("dev/dummy/is", "Provided.java"), "target/classes/dev/dummy/is.class", [STUDENT], workspace)).toBe(STUDENT);
  });

  it("leaves the template's classes alone when the student's file of that name is in a package of its own", () => {
    expect(sourceOf(info("dev/dummy/Provided", "Provided.java"), "target/classes/dev/dummy/Provided.class", ["src/main/java/dev/mine/Provided.java"], workspace)).toBeUndefined();
  });
});
