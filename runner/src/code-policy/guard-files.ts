import type { LoadedPit } from "../pit-config/pit-config.service";
import { studentSources } from "./check-source";

/** Above this the list would crowd the environment (one variable may hold 128 KiB): the guard is told "*" instead. */
const MAX_LIST_CHARS = 64 * 1024;

/**
 * Which files are the student's, for a guard that must tell the student's frames from the instructor's: the
 * student's code files (minus those the template replaced) or, when there are too many to list, "*" = every
 * code file under the workspace except the template's.
 */
export function guardFileList(pit: LoadedPit, studentFiles: string[], extensions: string[], templateFiles: readonly string[]): Record<string, string> {
  const files = JSON.stringify(studentSources(pit, studentFiles, extensions));
  if (files.length <= MAX_LIST_CHARS) return { RUNNER_GUARD_FILES: files };
  return { RUNNER_GUARD_FILES: "*", RUNNER_GUARD_TRUSTED: JSON.stringify(templateFiles.filter((f) => extensions.some((e) => f.endsWith(e)))) };
}
