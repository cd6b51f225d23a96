import { spawn } from "node:child_process";
import { CappedOutput } from "./capped-output";

export interface RunCommandOptions {
  command: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  /** Time between SIGTERM and SIGKILL at the timeout, so test tools can flush their reports. */
  killGraceMs: number;
  /** Aborting kills the run as a timeout would (used at shutdown). */
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** stdout and stderr interleaved as they arrived, capped with head and tail kept. */
  output: string;
  outputBytes: number;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Runs `command` through /bin/sh in its own process group. A non-zero exit, a timeout or an abort
 * is a result, never an exception: only a failure to start at all rejects.
 */
export function runCommand(options: RunCommandOptions): Promise<RunResult> {
  const started = performance.now();
  const output = new CappedOutput(options.maxOutputBytes);
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", options.command], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let timedOut = false;
    let aborted = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers: NodeJS.Timeout[] = [];

    const stop = (reason: "timeout" | "abort") => {
      if (exit) return;
      if (reason === "timeout") timedOut = true;
      else aborted = true;
      killGroup(child.pid, "SIGTERM");
      timers.push(setTimeout(() => killGroup(child.pid, "SIGKILL"), options.killGraceMs));
    };
    timers.push(setTimeout(() => stop("timeout"), options.timeoutMs));
    const onAbort = () => stop("abort");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    child.stdout.on("data", (chunk: Buffer) => output.write(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.write(chunk));

    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        timedOut,
        aborted,
        durationMs: Math.round(performance.now() - started),
        output: output.toString(),
        outputBytes: output.totalBytes,
      });
    };

    child.on("error", (error) => {
      for (const t of timers) clearTimeout(t);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      // Whatever the shell left running in its group dies with it; nothing outlives the run.
      killGroup(child.pid, "SIGKILL");
      // A process that left the group may still hold the pipes open; do not wait on it forever.
      timers.push(
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish();
        }, options.killGraceMs + 500),
      );
    });
    child.on("close", finish);
  });
}
