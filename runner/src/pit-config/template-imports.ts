import { readFileSync } from "node:fs";
import path from "node:path";
import { PYTEST_MODULES, STDLIB_MODULES } from "../admit/python-module-names";
import { PitConfigError } from "../errors/runner-error";
import type { LoadedPit } from "./pit-config.service";

// At a line's start or after a `;`, indented or not; `from x import*`, `from .x import *`, `from..x import *`.
const STAR_IMPORT = /(?:^|;)[ \t]*from[ \t]*(\.*)[ \t]*([\w.]*)[ \t]*import[ \t]*\*/gm;
const NOT_THE_STUDENTS = new Set([...STDLIB_MODULES, ...PYTEST_MODULES]);

/**
 * The star imports of a pytest template's .py files whose module could be the student's: `from shapes import *` in a
 * test module or a conftest.py hands the solution the names the tests run with. It could define `pytest`, `approx`
 * or `raises` there, a `pytest_plugins` list that makes pytest register it as a plugin, or tests of its own; no check
 * of the solution's code can tell those from honest names. Star imports of the standard library, of pytest's and of
 * the template's own modules are fine (a submission cannot shadow them: admission drops such files).
 */
export function studentStarImports(sources: { file: string; source: string }[], templateFiles: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const { file, source } of sources) {
    for (const match of source.matchAll(STAR_IMPORT)) {
      const [, dots = "", name = ""] = match;
      const parts = name.split(".").filter(Boolean);
      if (dots === "" && NOT_THE_STUDENTS.has(parts[0] ?? "")) continue;
      // Relative: from the file's own folder up; absolute: the template laid at the workspace root (the tests' path).
      const base = dots === "" ? [] : path.posix.dirname(file).split("/").filter((s) => s !== ".").slice(0, dots.length > 1 ? -(dots.length - 1) : undefined);
      const module = [...base, ...parts].join("/");
      // pytest puts the test folders on sys.path too: a template module in any folder of the template answers the name.
      const own = (f: string) => f === `${module}.py` || f === `${module}/__init__.py` || (dots === "" && (f.endsWith(`/${module}.py`) || f.endsWith(`/${module}/__init__.py`)));
      if (module && [...templateFiles].some(own)) continue;
      problems.push(`${file}: ${match[0].replace(/^;/, "").trim()}`);
    }
  }
  return problems;
}

/** Refuses a pytest PIT whose template star-imports a module the submission could provide (studentStarImports). */
export function checkTemplateImports(pit: LoadedPit, templateFiles: readonly string[]): void {
  if (pit.config.buildTool !== "pytest") return;
  const files = new Set(templateFiles);
  const sources = templateFiles.filter((f) => f.endsWith(".py")).map((file) => ({ file, source: readFileSync(path.join(pit.templateDir, file), "utf8") }));
  const problems = studentStarImports(sources, files);
  if (problems.length > 0) {
    throw new PitConfigError(
      `PIT ${pit.pitId}: its template imports * from a module the submission provides (${problems.join("; ")}): the solution would choose the names the tests run with. Import the names the tests use instead.`,
    );
  }
}
