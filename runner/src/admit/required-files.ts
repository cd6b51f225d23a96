import { braceExpand } from "minimatch";
import type { PitConfig } from "../pit-config/interfaces/pit-config.interface";
import { protectedReason } from "./protected-paths";
import { studentFileMatcher, studentFilePatterns } from "./select-files";

/**
 * Paths the glob matches, built by filling every wildcard with one of `words` (`solution.*` with words of
 * `**\/*.{js,py}` gives `solution.x`, `solution.js`, `solution.py`, `solution.x.js`...).
 */
function examplePaths(glob: string, words: readonly string[]): string[] {
  return braceExpand(glob).flatMap((alternative) =>
    words.map((word) =>
      alternative
        .replace(/\[[^\]]*\]/g, word)
        .replace(/\*\*/g, word)
        .replace(/[*?]/g, word)
        .replace(/^\.\//, ""),
    ),
  );
}

/**
 * The `requiredFiles` entries a submission could never provide: no path they match is one `studentFiles` takes and
 * no tool owns. Such a PIT would refuse every submission, so it is refused when it is loaded.
 */
export function requiredFilesOutside(config: Pick<PitConfig, "buildTool" | "studentFiles" | "requiredFiles">): string[] {
  const patterns = studentFilePatterns(config);
  const accepted = studentFileMatcher(patterns);
  const tokens = [...new Set(patterns.flatMap((p) => p.split(/[^A-Za-z0-9_-]+/)).filter(Boolean))];
  // A wildcard can stand for a plain name, a word of the patterns, or a file name with one of them as extension.
  const words = ["x", ...tokens, ...tokens.map((t) => `x.${t}`)];
  const possible = (file: string) =>
    accepted(file) && protectedReason(file, { buildTool: config.buildTool, files: new Set([file]), templateTestDirs: [] }) === undefined;
  return (config.requiredFiles ?? []).filter((entry) => !examplePaths(entry, words).some(possible));
}
