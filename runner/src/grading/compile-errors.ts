/** At most this many diagnostics reach the student: the first errors are the ones that matter. */
export const MAX_COMPILE_ERRORS = 5;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Removes the runner's workspace prefix so feedback shows `src/Main.java`, not a machine path. */
export function relativize(text: string, workspace: string): string {
  const prefix = workspace.endsWith("/") ? workspace : `${workspace}/`;
  return text.split(prefix).join("").split(workspace).join(".");
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)].slice(0, MAX_COMPILE_ERRORS);
}

/** Maven (`[ERROR] /ws/src/A.java:[8,26] ';' expected`) and plain javac (`A.java:8: error: ...`). */
function javaErrors(lines: string[]): string[] {
  const found: string[] = [];
  for (const line of lines) {
    const maven = /^\[ERROR\]\s+(\S+\.java):\[(\d+),(\d+)\]\s+(.*)$/.exec(line);
    if (maven) {
      found.push(`${maven[1]}:${maven[2]}:${maven[3]}: ${maven[4]}`);
      continue;
    }
    const javac = /^(\S+\.java):(\d+): error: (.*)$/.exec(line);
    if (javac) found.push(`${javac[1]}:${javac[2]}: ${javac[3]}`);
  }
  return found;
}

/**
 * Python (`File "x.py", line 3` then, a few lines on, `SyntaxError: ...`) and node (`/ws/calc.js:5`,
 * the source and a caret, then `SyntaxError: ...`): the location sits a few lines above the error.
 */
function syntaxErrors(lines: string[]): string[] {
  const found: string[] = [];
  lines.forEach((line, i) => {
    const error = /^(?:E\s+)?((?:Syntax|Indentation|Tab)Error: .*)$/.exec(line.trim());
    if (!error?.[1]) return;
    const where = lines
      .slice(Math.max(0, i - 6), i)
      .reverse()
      .map((l) => /File "([^"]+)", line (\d+)/.exec(l) ?? /^(\S+\.[cm]?[jt]s):(\d+)$/.exec(l.trim()))
      .find((m) => m !== null);
    found.push(where ? `${where[1]}:${where[2]}: ${error[1]}` : error[1]);
  });
  return found;
}

/**
 * The compiler's first errors from a run's output, relative to the workspace, or [] when the
 * output holds no recognisable diagnostic.
 */
export function extractCompileErrors(output: string, workspace: string): string[] {
  const lines = relativize(output.replace(ANSI, ""), workspace).split(/\r?\n/);
  for (const extract of [javaErrors, syntaxErrors]) {
    const found = dedupe(extract(lines));
    if (found.length > 0) return found;
  }
  return [];
}
