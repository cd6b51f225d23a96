import { braceExpand } from "minimatch";
import type { PitConfig } from "../pit-config/interfaces/pit-config.interface";
import { protectedReason } from "./protected-paths";
import { studentFileMatcher, studentFilePatterns } from "./select-files";

/**
 * A path the glob matches, built by filling each wildcard with a plain name (`src/**\/A.java` → `src/x/A.java`):
 * if `studentFiles` takes it and no tool owns it, a student's file there is kept.
 */
function examplePaths(glob: string): string[] {
  return braceExpand(glob).map((alternative) =>
    alternative
      .replace(/\[[^\]]*\]/g, "x")
      .replace(/\*\*/g, "x")
      .replace(/[*?]/g, "x")
      .replace(/^\.\//, ""),
  );
}

/**
 * The `requiredFiles` entries a submission could never provide, because `studentFiles` does not take them or a
 * tool owns their path: such a PIT would refuse every submission, so it is refused when it is loaded.
 */
export function requiredFilesOutside(config: Pick<PitConfig, "buildTool" | "studentFiles" | "requiredFiles">): string[] {
  const accepted = studentFileMatcher(studentFilePatterns(config));
  return (config.requiredFiles ?? []).filter((entry) =>
    examplePaths(entry).some((file) => {
      const context = { buildTool: config.buildTool, files: new Set([file]), templateTestDirs: [] };
      return !accepted(file) || protectedReason(file, context) !== undefined;
    }),
  );
}
