import { lstatSync } from "node:fs";
import { lstat, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { glob, globSync, hasMagic } from "glob";
import { rimraf } from "rimraf";

/** Reports are written by code the student controls: every bound here keeps a hostile one cheap. */
export interface ReportLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_REPORT_LIMITS: ReportLimits = Object.freeze({
  maxFiles: 200,
  maxFileBytes: 5 * 1024 * 1024,
  maxTotalBytes: 20 * 1024 * 1024,
});

/** Where each build tool's JUnit reports land when the PIT does not say (`reportPaths`). */
export const DEFAULT_REPORT_PATHS: Record<string, string[]> = {
  maven: ["target/surefire-reports/TEST-*.xml", "**/target/surefire-reports/TEST-*.xml"],
  gradle: ["build/test-results/**/TEST-*.xml"],
  pytest: ["reports/*.xml"],
  node: ["reports/*.xml"],
  npm: ["reports/*.xml"],
};

export function reportPathsFor(buildTool: string, configured: string[] | undefined): string[] {
  return configured ?? DEFAULT_REPORT_PATHS[buildTool] ?? ["reports/*.xml"];
}

export interface ReportFile {
  /** Relative to the workspace. */
  path: string;
  content: string;
}

export interface ReadReports {
  files: ReportFile[];
  /** Why some matches were not read (too many, too large, outside the workspace); for the run log. */
  skipped: string[];
}

const GLOB_OPTIONS = { nodir: true, follow: false, dot: true, posix: true } as const;

/**
 * The patterns whose literal leading folders exist (`reports/*.xml` needs `reports/`). A glob walk costs far
 * more than one lstat, and most runs of a tool write into one of its patterns' folders only, or none.
 */
export function reachablePatterns(workspace: string, patterns: string[]): string[] {
  return patterns.filter((pattern) => {
    const folders = pattern.split("/").slice(0, -1);
    const literal: string[] = [];
    for (const segment of folders) {
      // Braces count as magic here: `{target,build}` is not a folder name.
      if (hasMagic(segment, { magicalBraces: true })) break;
      literal.push(segment);
    }
    return literal.length === 0 || lstatSync(path.join(workspace, ...literal), { throwIfNoEntry: false }) !== undefined;
  });
}

async function matches(workspace: string, patterns: string[]): Promise<string[]> {
  const reachable = reachablePatterns(workspace, patterns);
  if (reachable.length === 0) return [];
  const found = await glob(reachable, { cwd: workspace, ...GLOB_OPTIONS });
  return [...new Set(found)].sort();
}

/**
 * Deletes whatever matches the report globs before the run, so a report shipped inside the
 * submission's ZIP can never be graded as if the tests had written it.
 */
export async function removeStaleReports(workspace: string, patterns: string[]): Promise<void> {
  // Synchronous: before the run the workspace is only the extracted archive, bounded by the extraction limits,
  // and a walk through the thread pool costs a round trip per folder (see files/pacer.ts).
  const reachable = reachablePatterns(workspace, patterns);
  const stale = reachable.length === 0 ? [] : globSync(reachable, { cwd: workspace, ...GLOB_OPTIONS });
  if (stale.length > 0) await rimraf(stale.map((p) => path.join(workspace, p)));
}

/** Reads the reports matching `patterns`, regular files inside the workspace only, within `limits`. */
export async function readReports(
  workspace: string,
  patterns: string[],
  limits: ReportLimits = DEFAULT_REPORT_LIMITS,
): Promise<ReadReports> {
  const root = await realpath(workspace);
  const files: ReportFile[] = [];
  const skipped: string[] = [];
  let total = 0;
  const found = await matches(workspace, patterns);
  if (found.length > limits.maxFiles) skipped.push(`${found.length - limits.maxFiles} report files over the limit of ${limits.maxFiles}`);
  for (const rel of found.slice(0, limits.maxFiles)) {
    const full = path.join(workspace, rel);
    const info = await lstat(full).catch(() => null);
    if (!info?.isFile()) {
      skipped.push(`${rel}: not a regular file`);
      continue;
    }
    const real = await realpath(full).catch(() => null);
    if (!real?.startsWith(`${root}${path.sep}`)) {
      skipped.push(`${rel}: outside the workspace`);
      continue;
    }
    if (info.size > limits.maxFileBytes || total + info.size > limits.maxTotalBytes) {
      skipped.push(`${rel}: ${info.size} bytes is over the size limit`);
      continue;
    }
    total += info.size;
    files.push({ path: rel, content: await readFile(full, "utf8") });
  }
  return { files, skipped };
}
