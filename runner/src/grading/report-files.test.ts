import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reachablePatterns, readReports, removeStaleReports, reportPathsFor } from "./report-files";

let ws: string;
beforeEach(async () => {
  ws = await mkdtemp(path.join(os.tmpdir(), "reports-"));
  await mkdir(path.join(ws, "target", "surefire-reports"), { recursive: true });
});
afterEach(() => rm(ws, { recursive: true, force: true }));

const put = (rel: string, content = "<testsuite/>") => writeFile(path.join(ws, rel), content);

describe("reportPathsFor", () => {
  it("defaults per build tool and lets the PIT override", () => {
    expect(reportPathsFor("maven", undefined)).toContain("target/surefire-reports/TEST-*.xml");
    expect(reportPathsFor("pytest", undefined)).toEqual(["reports/*.xml"]);
    expect(reportPathsFor("maven", ["out/*.xml"])).toEqual(["out/*.xml"]);
  });
});

describe("reachablePatterns", () => {
  it("drops only the patterns whose literal leading folders are missing", () => {
    const patterns = ["target/surefire-reports/TEST-*.xml", "**/target/surefire-reports/TEST-*.xml", "reports/*.xml", "*.xml", "build/{a,b}/x.xml", "{target,build}/surefire-reports/*.xml"];
    expect(reachablePatterns(ws, patterns)).toEqual([
      "target/surefire-reports/TEST-*.xml",
      "**/target/surefire-reports/TEST-*.xml",
      "*.xml",
      "{target,build}/surefire-reports/*.xml",
    ]);
  });
});

describe("readReports", () => {
  const patterns = ["target/surefire-reports/TEST-*.xml"];

  it("reads the matching files, relative to the workspace", async () => {
    await put("target/surefire-reports/TEST-a.xml", "<a/>");
    await put("target/surefire-reports/a.txt", "no");
    const read = await readReports(ws, patterns);
    expect(read.files).toEqual([{ path: "target/surefire-reports/TEST-a.xml", content: "<a/>" }]);
  });

  it("caps the file count and the sizes", async () => {
    for (const n of [1, 2, 3]) await put(`target/surefire-reports/TEST-${n}.xml`, "x".repeat(100));
    await put("target/surefire-reports/TEST-4.xml", "x".repeat(1000));
    const read = await readReports(ws, patterns, { maxFiles: 4, maxFileBytes: 500, maxTotalBytes: 250 });
    expect(read.files.map((f) => f.path)).toEqual(["target/surefire-reports/TEST-1.xml", "target/surefire-reports/TEST-2.xml"]);
    expect(read.skipped.join("\n")).toMatch(/TEST-3.xml: 100 bytes is over the size limit/);
    expect(read.skipped.join("\n")).toMatch(/TEST-4.xml: 1000 bytes/);
    const few = await readReports(ws, patterns, { maxFiles: 1, maxFileBytes: 5000, maxTotalBytes: 5000 });
    expect(few.files).toHaveLength(1);
    expect(few.skipped[0]).toBe("3 report files over the limit of 1");
  });

  it("never follows a symlink out of the workspace", async () => {
    const outside = path.join(os.tmpdir(), `outside-${process.pid}.xml`);
    await writeFile(outside, "<secret/>");
    await symlink(outside, path.join(ws, "target/surefire-reports/TEST-link.xml"));
    const read = await readReports(ws, patterns);
    await rm(outside);
    expect(read.files).toEqual([]);
    expect(read.skipped).toEqual(["target/surefire-reports/TEST-link.xml: not a regular file"]);
  });
});

describe("removeStaleReports", () => {
  it("deletes reports a submission shipped, so they are never graded", async () => {
    await put("target/surefire-reports/TEST-fake.xml");
    await put("keep.xml");
    await removeStaleReports(ws, ["target/surefire-reports/TEST-*.xml", "*.txt"]);
    expect((await readReports(ws, ["**/*.xml"])).files.map((f) => f.path)).toEqual(["keep.xml"]);
  });
});
