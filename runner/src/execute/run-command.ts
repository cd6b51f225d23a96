import { spawn } from "node:child_process";
import { CappedOutput, MarkedLines, MARKED_LINES_MAX_BYTES } from "./capped-output";

/** How the command is started; the sandbox provides one. Without it: /bin/sh -c as the runner's own user. */
export interface Launch {
  /** The argv that runs `command` (typically a limits wrapper around /bin/sh -c). */
  wrap(command: string): { file: string; args: string[] };
  uid?: number;
  gid?: number;
  /** Kills every process of the run, also those that left the process group; resolves once they are gone. */
  killAll?: () => Promise<unknown>;
}

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
  launch?: Launch;
  /**
   * Lines (of stdout or stderr) that start with this marker are also kept apart from the capped log, first
   * `markedLinesMaxBytes` of them (default 16 MiB), in `RunResult.markedLines`: a runner-owned witness in the test
   * process (the Java guard's records) that no amount of other output can push out of what the runner reads.
   */
  keepLinesStartingWith?: string;
  markedLinesMaxBytes?: number;
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
  /** The lines that started with `keepLinesStartingWith`, stdout's then stderr's, whole lines; "" without a marker. */
  markedLines?: string;
  /** Marked lines were lost (more than the bound, or one cut off by the process's end). */
  markedLinesTruncated?: boolean;
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
  const marker = options.keepLinesStartingWith;
  const bound = options.markedLinesMaxBytes ?? MARKED_LINES_MAX_BYTES;
  // One per stream: a line of stdout and one of stderr arrive interleaved, never inside each other.
  const marked = marker ? [new MarkedLines(marker, bound), new MarkedLines(marker, bound)] : [];
  return new Promise((resolve, reject) => {
    const { file, args } = options.launch?.wrap(options.command) ?? { file: "/bin/sh", args: ["-c", options.command] };
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      uid: options.launch?.uid,
      gid: options.launch?.gid,
    });
    const killAll = () => options.launch?.killAll?.().catch(() => undefined) ?? Promise.resolve();
    let timedOut = false;
    let aborted = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers: NodeJS.Timeout[] = [];

    const stop = (reason: "timeout" | "abort") => {
      if (exit) return;
      if (reason === "timeout") timedOut = true;
      else aborted = true;
      killGroup(child.pid, "SIGTERM");
      timers.push(
        setTimeout(() => {
          killGroup(child.pid, "SIGKILL");
          // setsid escapees and fork bombs are outside the group; only a kill by uid reaches them.
          void killAll();
        }, options.killGraceMs),
      );
    };
    timers.push(setTimeout(() => stop("timeout"), options.timeoutMs));
    const onAbort = () => stop("abort");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    child.stdout.on("data", (chunk: Buffer) => {
      output.write(chunk);
      marked[0]?.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output.write(chunk);
      marked[1]?.write(chunk);
    });

    let done = false;
    let exitKill: Promise<unknown> = Promise.resolve();
    const finish = () => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener("abort", onAbort);
      const durationMs = Math.round(performance.now() - started);
      for (const m of marked) m.end();
      // Resolve only once the kill by uid is over, so the caller never sees a run with survivors.
      void exitKill.then(() =>
        resolve({
          exitCode: exit?.code ?? null,
          signal: exit?.signal ?? null,
          timedOut,
          aborted,
          durationMs,
          output: output.toString(),
          outputBytes: output.totalBytes,
          markedLines: marked.map((m) => m.toString()).join(""),
          markedLinesTruncated: marked.some((m) => m.truncated),
        }),
      );
    };

    child.on("error", (error) => {
      for (const t of timers) clearTimeout(t);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      // Whatever the shell left running dies with it, in its group or not; nothing outlives the run.
      killGroup(child.pid, "SIGKILL");
      exitKill = killAll();
      // Without a kill by uid, a process that left the group may still hold the pipes open; do not wait forever.
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
