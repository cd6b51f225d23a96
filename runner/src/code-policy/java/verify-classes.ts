import type { CodeFinding } from "../../errors/runner-error";
import type { ParsedTestCase } from "../../grading/junit-xml";
import type { LoadedPit } from "../../pit-config/pit-config.service";

export interface ClassCheckInput {
  pit: LoadedPit;
  /** Reclaimed by the runner after the run: nothing of the student's is running any more. */
  workspace: string;
  /** The admitted student files, relative to the workspace. */
  studentFiles: string[];
  /** The run's whole output (the runner-owned guard's records are in it). */
  output: string;
  /** The per-run secret prepare handed the guard (PreparedRun.guardKey), if any. */
  guardKey?: string;
}

export interface JavaVerification {
  findings: CodeFinding[];
  /** Test results the runner-owned guard vouched for during the run; when present they are graded instead of the XML. */
  results?: ParsedTestCase[];
}

/**
 * Java: the constant pools of the classes compiled from the student's sources, checked against the deny list,
 * and proof that those classes are the ones that ran. PLACEHOLDER until the Java code-policy work lands.
 */
export async function verifyCompiledClasses(_input: ClassCheckInput): Promise<JavaVerification> {
  return { findings: [] };
}
