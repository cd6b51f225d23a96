import { spawn } from "node:child_process";
import { z } from "zod";
import { EnvironmentError } from "../../errors/runner-error";
import type { ApiUse } from "../check-source";
import { PYTHON_ANALYSER } from "./python-analyser-source";
import { ESCAPE_ATTRIBUTES } from "./python-rules";

/** Debian's interpreter, the one the PITs' test command runs (`/usr/bin/python3 -m pytest`). */
export const PYTHON = "/usr/bin/python3";

export interface PythonAnalysisOptions {
  timeoutMs?: number;
  /** Output above this is not read further: the check fails closed (a finding), never open. */
  maxOutputBytes?: number;
  python?: string;
}

const lineSchema = z.object({ f: z.number().int().nonnegative(), l: z.number().int().nonnegative(), k: z.string(), d: z.string() });

/** What ended the analyser when it did not finish: reported as a finding so the submission is not let through. */
function unchecked(files: string[], why: string): ApiUse[] {
  return [{ file: files[0] ?? "(submission)", line: 0, key: "unchecked-code", shown: why }];
}

/**
 * Every API the given .py files use, by the names python-rules.ts speaks (see python-analyser-source.ts). One
 * interpreter for all the files; as the runner, on files the run has not touched yet. `-I -S`: no site, no
 * PYTHONPATH, no cwd on sys.path, so nothing of the workspace can be imported while it runs.
 */
export async function analysePython(workspace: string, files: string[], options: PythonAnalysisOptions = {}): Promise<ApiUse[]> {
  if (files.length === 0) return [];
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxOutputBytes = options.maxOutputBytes ?? 8 * 1024 * 1024;
  const child = spawn(options.python ?? PYTHON, ["-I", "-S", "-B", "-c", PYTHON_ANALYSER, JSON.stringify(ESCAPE_ATTRIBUTES)], {
    cwd: "/",
    env: { LANG: "C.UTF-8", PYTHONHASHSEED: "0" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const chunks: Buffer[] = [];
  let bytes = 0;
  let overflow = false;
  let stderr = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  child.stdout.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > maxOutputBytes) {
      overflow = true;
      child.kill("SIGKILL");
    } else chunks.push(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString("utf8");
  });
  child.stdin.on("error", () => undefined);
  child.stdin.end(JSON.stringify({ root: workspace, files }));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal }));
  }).catch((error: unknown) => {
    throw new EnvironmentError(`the Python code-policy check could not start ${options.python ?? PYTHON}`, { cause: error });
  });
  clearTimeout(timer);
  if (overflow) return unchecked(files, "more names than the checker reads");
  if (exit.signal === "SIGKILL") return unchecked(files, `code the checker could not read within ${timeoutMs} ms`);
  if (exit.code !== 0) throw new EnvironmentError(`the Python code-policy check failed (exit ${exit.code}): ${stderr.trim()}`);
  const uses: ApiUse[] = [];
  for (const text of Buffer.concat(chunks).toString("utf8").split("\n")) {
    if (!text) continue;
    const parsed = lineSchema.parse(JSON.parse(text));
    const file = files[parsed.f];
    if (file !== undefined) uses.push({ file, line: parsed.l, key: parsed.k, shown: parsed.d });
  }
  return uses;
}
