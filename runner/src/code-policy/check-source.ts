import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CodeFinding } from "../errors/runner-error";
import type { LoadedPit } from "../pit-config/pit-config.service";
import { forEachBounded } from "../files/bounded";
import { analyseJavaScript } from "./javascript/js-analyser";
import { isJavaScriptPit, JS_DEFAULT_DENY, JS_EXTENSIONS } from "./javascript/js-rules";
import { createPolicy } from "./policy";
import { analysePython, type PythonAnalyser } from "./python/python-analyser";
import { isPythonPit, PYTHON_DEFAULT_DENY } from "./python/python-rules";

export interface SourceCheckInput {
  pit: LoadedPit;
  /** The workspace as extracted and admitted, before the template is laid over and before anything runs. */
  workspace: string;
  /** The admitted student files, relative to the workspace (admit/). Only these are the student's code. */
  studentFiles: string[];
  /** The runner's long-lived Python analyser; without one, a worker is started for this check and ended after it. */
  python?: PythonAnalyser;
}

/** One API a file uses, as an analyser names it (`key`, matched by the policy) and as the student wrote it. */
export interface ApiUse {
  file: string;
  line: number;
  key: string;
  shown: string;
}

/** Student files the template does not replace: the template's own copy is what runs, so it is not the student's. */
export function studentSources(pit: LoadedPit, studentFiles: string[], extensions: string[]): string[] {
  return studentFiles.filter((file) => extensions.some((ext) => file.endsWith(ext)) && !existsSync(path.join(pit.templateDir, file)));
}

async function javaScriptUses(workspace: string, files: string[]): Promise<ApiUse[]> {
  const uses: ApiUse[][] = [];
  await forEachBounded(files, 8, async (file) => {
    uses.push(analyseJavaScript(await readFile(path.join(workspace, file), "utf8"), file));
  });
  return uses.flat();
}

/**
 * Static check of the student's Python and JavaScript sources against the language's deny list, before anything
 * runs (so nothing the submission does can interfere). Returns every finding, by file and line; [] for other
 * languages. A file that does not parse yields none: the test run reports its syntax error to the student.
 */
export async function checkSource(input: SourceCheckInput): Promise<CodeFinding[]> {
  const { pit, workspace, studentFiles } = input;
  let uses: ApiUse[];
  let defaults: readonly string[];
  if (isPythonPit(pit.config)) {
    defaults = PYTHON_DEFAULT_DENY;
    const files = studentSources(pit, studentFiles, [".py"]);
    uses = await (input.python ? input.python.analyse(workspace, files) : analysePython(workspace, files));
  } else if (isJavaScriptPit(pit.config)) {
    defaults = JS_DEFAULT_DENY;
    uses = await javaScriptUses(workspace, studentSources(pit, studentFiles, JS_EXTENSIONS));
  } else {
    return [];
  }
  const policy = createPolicy(defaults, pit.config.codePolicy);
  const findings: CodeFinding[] = [];
  const reported = new Set<string>();
  for (const use of uses) {
    const rule = policy.deniedBy(use.key);
    if (rule === undefined || reported.has(`${use.file}:${use.key}`)) continue;
    reported.add(`${use.file}:${use.key}`);
    findings.push({ file: use.file, line: use.line || undefined, api: use.shown, rule });
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
}
