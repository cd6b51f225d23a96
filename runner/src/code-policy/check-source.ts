import type { CodeFinding } from "../errors/runner-error";
import type { LoadedPit } from "../pit-config/pit-config.service";

export interface SourceCheckInput {
  pit: LoadedPit;
  /** The workspace as extracted and admitted, before the template is laid over and before anything runs. */
  workspace: string;
  /** The admitted student files, relative to the workspace (admit/). Only these are the student's code. */
  studentFiles: string[];
}

/**
 * Static check of the student's Python and JavaScript sources against the language's deny list, before anything
 * runs (so nothing the submission does can interfere). Returns every finding; [] for other languages.
 * PLACEHOLDER until the Python/Node code-policy work lands: it finds nothing yet.
 */
export async function checkSource(_input: SourceCheckInput): Promise<CodeFinding[]> {
  return [];
}
