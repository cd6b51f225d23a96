import { readdirSync } from "node:fs";
import path from "node:path";
import { Minimatch } from "minimatch";
import type { SelectFiles } from "../extract/extract-zip";
import { reportPathsFor } from "../grading/report-files";
import type { PitConfig } from "../pit-config/interfaces/pit-config.interface";
import type { LoadedPit } from "../pit-config/pit-config.service";
import type { IgnoredFile } from "./admission";
import { isTemplateTest, protectedReason } from "./protected-paths";

// Files a program commonly reads as input; a PIT that needs others lists them in `studentFiles`.
const DATA = "txt,csv,tsv,json,dat,data,in,out,md,yaml,yml,xml,html,css,png,jpg,jpeg,gif,svg";

/**
 * What a submission may contribute when the PIT does not say (`studentFiles`): its sources and the data they read,
 * never build or test configuration. Safe with no configuration at all; protected-paths.ts applies on top anyway.
 */
export const DEFAULT_STUDENT_FILES: Readonly<Record<string, readonly string[]>> = {
  maven: ["src/main/**"],
  gradle: ["src/main/**"],
  pytest: [`**/*.{py,${DATA}}`],
  node: [`**/*.{js,cjs,mjs,${DATA}}`],
  npm: [`**/*.{js,cjs,mjs,${DATA}}`],
};

export const NOT_ACCEPTED = "this exercise does not take this file from a submission";
export const PROVIDED = "the exercise provides its own copy of this file";
export const REPORT = "it stands where the test reports are written";

export function studentFilePatterns(config: Pick<PitConfig, "buildTool" | "studentFiles">): readonly string[] {
  return config.studentFiles ?? DEFAULT_STUDENT_FILES[config.buildTool] ?? ["**"];
}

/** Builds the matcher once per PIT load; `dot` so hidden files are judged like any other, not silently lost. */
export function studentFileMatcher(patterns: readonly string[]): (file: string) => boolean {
  const matchers = patterns.map((p) => new Minimatch(p, { dot: true }));
  return (file) => matchers.some((m) => m.match(file));
}

/** The template's files, relative and posix. Small (a PIT's tests and build file), listed once per submission. */
export function templateFiles(templateDir: string): string[] {
  let entries;
  try {
    entries = readdirSync(templateDir, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(templateDir, path.join(e.parentPath, e.name)).split(path.sep).join("/"));
}

/**
 * The extraction filter for this PIT: a file is kept when `studentFiles` takes it, no tool owns it and the
 * template does not provide it. Everything else is dropped with the reason the student will read.
 */
export function selectStudentFiles(pit: LoadedPit, template: readonly string[] = templateFiles(pit.templateDir)): SelectFiles {
  const { buildTool } = pit.config;
  const accepted = studentFileMatcher(studentFilePatterns(pit.config));
  // A report shipped in the ZIP must never be graded as if the tests had written it.
  const isReport = studentFileMatcher(reportPathsFor(buildTool, pit.config.reportPaths));
  const provided = new Set(template);
  const templateTestDirs = [
    ...new Set(template.filter((f) => isTemplateTest(f, buildTool)).map((f) => path.posix.dirname(f))),
  ].filter((dir) => dir !== ".");
  return (files) => {
    const context = { buildTool, files: new Set(files), templateTestDirs };
    const studentFiles: string[] = [];
    const ignored: IgnoredFile[] = [];
    for (const file of [...files].sort()) {
      const reason =
        protectedReason(file, context) ??
        (provided.has(file) ? PROVIDED : isReport(file) ? REPORT : accepted(file) ? undefined : NOT_ACCEPTED);
      if (reason) ignored.push({ path: file, reason });
      else studentFiles.push(file);
    }
    return { studentFiles, ignored };
  };
}
