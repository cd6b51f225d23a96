import type { RunResult } from "../execute/run-command";
import { EnvironmentError } from "../errors/runner-error";
import { cleanText } from "./feedback";
import { JAVA_TOOL_PACKAGES } from "../admit/protected-paths";
import { extractCompileErrors } from "./compile-errors";

/**
 * What failed in the grading environment, by the tool's own words; for the operator's log line. Only consulted
 * once the run is known not to be the student's failure, so output a student prints cannot move a grade.
 */
const ENVIRONMENT_SIGNS: [RegExp, string][] = [
  [/Could not resolve dependencies for project|Could not (find|transfer) artifact|Cannot access \S+ in offline mode/, "Maven could not resolve a dependency from the offline repository"],
  [/Plugin \S+ or one of its dependencies could not be resolved|Error resolving version for plugin|Unresolveable build extension/, "Maven could not resolve a plugin"],
  [/Non-resolvable (parent|import) POM/, "Maven could not resolve a parent or imported POM"],
  [/Could not create the Java Virtual Machine|Error occurred during initialization of VM|insufficient memory for the Java Runtime/, "the JVM could not start"],
  [/No space left on device|ENOSPC/, "the disk is full"],
  [/(^|\n)(\/bin\/)?sh: \d+: \S+: not found|command not found/, "a tool the test command needs is missing"],
];

export function environmentCause(run: RunResult): string {
  for (const [sign, cause] of ENVIRONMENT_SIGNS) if (sign.test(run.output)) return cause;
  if (run.signal === "SIGKILL") return "the test process was killed (out of memory?)";
  if (run.exitCode === 126 || run.exitCode === 127) return "the test command could not be started";
  return "the test command failed without a test report or a compiler error in the submission";
}

export interface CompiledFiles {
  /** The files the submission contributed, relative. */
  student: ReadonlySet<string>;
  /** The template's files, relative. */
  template: ReadonlySet<string>;
}

/** A package no submission may provide (the test frameworks', the build tool's, the guard's): only the PIT's pom can. */
function toolPackage(name: string): boolean {
  const asPath = `${name.replace(/\./g, "/")}/`;
  return JAVA_TOOL_PACKAGES.some((p) => asPath.startsWith(p));
}

/**
 * The compiler's errors that are the student's: located in a file the submission contributed, or in a template
 * test that does not compile against the submission's API. A template test that misses a package no submission
 * may provide (`package org.junit.jupiter.api does not exist`: the pom lacks the dependency) is the PIT's failure,
 * not the student's; one that misses any other package is the student's (a wrong package name, a missing class). An error with no location (a bare SyntaxError) is the student's: only their code is
 * compiled besides the template's.
 */
export function studentCompileErrors(run: RunResult, workspace: string, files: CompiledFiles): string[] {
  return extractCompileErrors(run.output, workspace)
    .filter((error) => {
      const location = /^([^:\s]+\.[A-Za-z]+):\d+/.exec(error)?.[1]?.replace(/^\.\//, "");
      if (location === undefined || files.student.has(location)) return true;
      if (!files.template.has(location)) return false;
      const missing = /package ([\w.]+) does not exist/.exec(error)?.[1];
      return missing === undefined || !toolPackage(missing);
    })
    .map((e) => cleanText(e, 500));
}

/** The run failed and nothing says it was the student's doing: retried, then ERROR; never a grade. */
export function environmentFailure(run: RunResult, step: string): EnvironmentError {
  const exit = run.timedOut ? "timed out" : run.signal ? `killed by ${run.signal}` : `exit code ${run.exitCode ?? "none"}`;
  return new EnvironmentError(`${step} failed (${exit}): ${environmentCause(run)}`);
}
