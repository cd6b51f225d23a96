import { spawn } from "node:child_process";
import path from "node:path";

export const RUNNER_DIR = path.resolve(__dirname, "..", "..");

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a CLI under src/tools as `npm run` would (ts-node, from runner/), in a real child process,
 * optionally feeding `stdin` and closing it.
 */
export function runTool(script: "pit-generator" | "try-pit", args: string[], stdin?: string): Promise<ToolResult> {
  return run(process.execPath, ["-r", "ts-node/register", path.join("src", "tools", `${script}.ts`), ...args], stdin);
}

/** Through the package.json script itself, as the docs tell instructors to run it. */
export function runNpmScript(script: "generate:pit" | "try:pit", args: string[], stdin?: string): Promise<ToolResult> {
  return run("npm", ["run", "--silent", script, "--", ...args], stdin);
}

function run(command: string, args: string[], stdin: string | undefined): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: RUNNER_DIR,
      env: { ...process.env, INIT_CWD: RUNNER_DIR },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}
