import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { CodeFinding } from "../../errors/runner-error";
import type { ParsedTestCase } from "../../grading/junit-xml";
import type { LoadedPit } from "../../pit-config/pit-config.service";
import { createPolicy } from "../policy";
import { ClassFileError, parseClassFile, type ClassInfo } from "./class-file";
import { listClassFiles, sourceOf, CLASS_DIRS } from "./class-dirs";
import { guardResults, readGuardReport } from "./guard-records";
import { apiUses, collapse, JAVA_DENY, shortApi } from "./java-rules";

export interface ClassCheckInput {
  pit: LoadedPit;
  /** Reclaimed by the runner after the run: nothing of the student's is running any more. */
  workspace: string;
  /** The admitted student files, relative to the workspace. */
  studentFiles: string[];
  /**
   * The guard's lines, kept by the runner apart from the capped log (RunResult.markedLines with GUARD_MARKER), so
   * that no amount of the student's output can push them out.
   */
  guardLines: string;
  /** Some of the guard's lines were not kept (RunResult.markedLinesTruncated). */
  guardLinesLost?: boolean;
  /** The per-run secret prepare handed the guard (PreparedRun.guardKey), if any. */
  guardKey?: string;
}

export interface JavaVerification {
  findings: CodeFinding[];
  /** Test results the runner-owned guard vouched for during the run; when present they are graded instead of the XML. */
  results?: ParsedTestCase[];
  /** Why the XML reports are graded although the PIT is a Java one (no finding: the student is not at fault). */
  warnings?: string[];
}

const TAMPERED = "a class file that changed after it was compiled";
const REMOVED = "a class file that was removed after it was compiled";
const ADDED = "a class file that appeared after compilation";
const NO_CLASS = "no compiled class (nothing was compiled from it)";

/**
 * Java: the classes compiled from the student's sources, checked against the deny list (their constant pools), and
 * proof that those classes are the ones that ran: the runner-owned guard (runnerguard, on the test classpath from
 * Config.guardsDir) fingerprinted them before any test ran and signed what it saw with this run's key. Called after
 * the run, once the runner has reclaimed the workspace, so nothing of the student's can change what is read here.
 */
export async function verifyCompiledClasses(input: ClassCheckInput): Promise<JavaVerification> {
  if (input.pit.config.language !== "java") return { findings: [] };
  const javaSources = input.studentFiles.filter((f) => f.endsWith(".java"));
  const findings: CodeFinding[] = [];
  const warnings: string[] = [];
  const report = input.guardKey ? readGuardReport(input.guardLines, input.guardKey, input.guardLinesLost === true) : undefined;
  const now = new Map<string, Buffer>();
  for (const file of listClassFiles(input.workspace)) now.set(file, readFileSync(path.join(input.workspace, file)));

  if (report) {
    for (const [file, bytes] of now) {
      const recorded = report.classes.get(file);
      const hash = createHash("sha256").update(bytes).digest("hex");
      // A class missing from incomplete fingerprints is no evidence; the results are then not graded anyway.
      if (recorded === undefined) {
        if (report.classesComplete) findings.push(classFinding(file, bytes, javaSources, ADDED));
      }
      else if (recorded !== hash) findings.push(classFinding(file, bytes, javaSources, TAMPERED));
    }
    for (const file of report.classes.keys()) {
      if (!now.has(file)) findings.push({ file: sourceFromPath(file, javaSources), api: REMOVED, rule: "class-integrity" });
    }
    if (report.rejected > 0) warnings.push(`${report.rejected} line(s) looked like the runner guard's records but were not signed by it`);
    // Fail closed: the guard started, so the XML (which code in the JVM can rewrite) is never graded instead.
    if (report.incomplete.length > 0) {
      warnings.push(`the runner's Java guard started but its records are incomplete (${report.incomplete.join("; ")}); no test result is graded`);
    } else if (report.planned.size === 0) {
      warnings.push("the runner's Java guard started but reported no test plan (the JVM ended before the tests ran?); no test result is graded");
    }
  } else if (input.guardKey && surefireReported(input.workspace)) {
    // Tests ran, but not under the guard (a JUnit 4 provider, a pom with its own additionalClasspathElements).
    // A build that failed before the tests ran no test at all: nothing to warn about.
    warnings.push("the runner's Java guard did not report (no JUnit Platform run with its key); the XML reports are graded");
  }

  const policy = createPolicy(JAVA_DENY, input.pit.config.codePolicy);
  const compiledFrom = new Set<string>();
  for (const [file, bytes] of now) {
    let info: ClassInfo;
    try {
      info = parseClassFile(bytes);
    } catch (e) {
      if (!(e instanceof ClassFileError)) throw e;
      findings.push({ file: sourceFromPath(file, javaSources), api: `an unreadable class file (${e.message})`, rule: "class-integrity" });
      continue;
    }
    const source = sourceOf(info, file, javaSources, input.workspace);
    // Classes of the instructor's own sources (template) are the instructor's business.
    if (!source) continue;
    compiledFrom.add(source);
    const rules = new Map<string, string>();
    for (const api of apiUses(info)) {
      const rule = policy.deniedBy(api);
      if (rule) rules.set(shortApi(api), rule);
    }
    // In the deny list's order, so the message names the exit or the hook before the file write it serves.
    const order = (short: string) => {
      const at = JAVA_DENY.indexOf(rules.get(short) ?? "");
      return at < 0 ? JAVA_DENY.length : at;
    };
    for (const short of collapse(rules.keys()).sort((a, b) => order(a) - order(b))) findings.push({ file: source, api: short, rule: rules.get(short) ?? short });
  }
  // Only once something was compiled: a build that failed is graded as a compile error, not refused.
  if (now.size > 0 && report) {
    for (const source of javaSources) {
      const base = path.posix.basename(source);
      if (!compiledFrom.has(source) && base !== "package-info.java" && base !== "module-info.java" && CLASS_DIRS.some((d) => source.startsWith(d.sources))) {
        findings.push({ file: source, api: NO_CLASS, rule: "class-integrity" });
      }
    }
  }
  const results = report && findings.length === 0 ? guardResults(report) : undefined;
  return { findings: dedupe(findings), ...(results ? { results } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
}

function classFinding(file: string, bytes: Buffer, javaSources: string[], api: string): CodeFinding {
  let source: string | undefined;
  try {
    source = sourceOf(parseClassFile(bytes), file, javaSources);
  } catch {
    source = undefined;
  }
  return { file: source ?? sourceFromPath(file, javaSources), api, rule: "class-integrity" };
}

/** The student's source a class path points at (`target/classes/a/B$1.class` -> `src/main/java/a/B.java`), else the path. */
function sourceFromPath(file: string, javaSources: string[]): string {
  for (const dir of CLASS_DIRS) {
    if (!file.startsWith(dir.classes)) continue;
    const outer = file.slice(dir.classes.length).replace(/(\$[^/]*)?\.class$/, ".java");
    const candidate = dir.sources + outer;
    if (javaSources.includes(candidate)) return candidate;
  }
  return file;
}

function surefireReported(workspace: string): boolean {
  try {
    return readdirSync(path.join(workspace, "target", "surefire-reports")).some((f) => f.endsWith(".xml"));
  } catch {
    return false;
  }
}

function dedupe(findings: CodeFinding[]): CodeFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.file}\0${f.api}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
