import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
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
  /** A worker that has served this many requests is replaced, so no memory a large submission made stays. */
  maxRequests?: number;
  /** A worker whose resident memory is above this after an answer is replaced at once (a large submission's peak). */
  maxRssBytes?: number;
}

/** The static check's Python half, kept running between submissions (see createPythonAnalyser). */
export interface PythonAnalyser {
  /** Every API the given .py files (relative to `workspace`) use, by the names python-rules.ts speaks. */
  analyse(workspace: string, files: string[]): Promise<ApiUse[]>;
  /** Ends the worker; a later analyse() starts a new one. */
  close(): void;
  /** Workers started and requests sent so far, and the current worker's pid: for tests and logs. */
  served(): { workers: number; requests: number; pid?: number };
}

const lineSchema = z.object({ f: z.number().int().nonnegative(), l: z.number().int().nonnegative(), k: z.string(), d: z.string() });
/** The line that ends each answer: the analyser's source writes it after the last finding of a request. */
const END = '{"end":1}';

/** What ended the analyser when it did not finish: reported as a finding so the submission is not let through. */
function unchecked(files: string[], why: string): ApiUse[] {
  return [{ file: files[0] ?? "(submission)", line: 0, key: "unchecked-code", shown: why }];
}

interface Worker {
  child: ChildProcessWithoutNullStreams;
  served: number;
  /** Told each output chunk's size before its lines, so the cap holds however long a line is; swapped per request. */
  onBytes?: (bytes: number) => void;
  /** Told each complete output line; swapped per request. */
  onLine?: (line: string) => void;
  /** Told when the process ends, and whether by a SIGKILL this side did not send. */
  onExit?: (why: string, killed: boolean) => void;
  stderr: string;
  /** Set by stop(): the SIGKILL that follows is this side's, not the kernel's. */
  stopped?: boolean;
}

/** The worker's resident memory now, from /proc (0 where there is none to read). */
function residentBytes(pid: number | undefined): number {
  try {
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kib ? Number(kib) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * The interpreter of the static check, started once and kept: a request is one JSON line on stdin, the answer its
 * findings, one JSON line each, then END. Starting python3 and importing ast and json took 25-35 ms per
 * submission; a request to a running worker takes about a millisecond for the samples. The worker only parses
 * (python-analyser-source.ts): it never imports or runs the student's code, so nothing a submission holds can change
 * what it answers the next one. `-I -S`: no site, no PYTHONPATH, no cwd on sys.path. Requests are served one at a
 * time; a request that runs out of time or output kills the worker (a finding, fail closed), and one during which
 * the worker dies is an EnvironmentError, as a failed start is; either way the next request starts a new worker.
 */
export function createPythonAnalyser(options: PythonAnalysisOptions = {}): PythonAnalyser {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxOutputBytes = options.maxOutputBytes ?? 8 * 1024 * 1024;
  const maxRequests = options.maxRequests ?? 500;
  const maxRssBytes = options.maxRssBytes ?? 256 * 1024 * 1024;
  const python = options.python ?? PYTHON;
  let worker: Worker | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const count = { workers: 0, requests: 0 };

  const start = (): Worker => {
    const child = spawn(python, ["-I", "-S", "-B", "-c", PYTHON_ANALYSER, JSON.stringify(ESCAPE_ATTRIBUTES)], {
      cwd: "/",
      env: { LANG: "C.UTF-8", PYTHONHASHSEED: "0" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const started: Worker = { child, served: 0, stderr: "" };
    count.workers += 1;
    // Bytes, split on newlines as they arrive: only the new chunk is searched, and a line is decoded once, whole.
    let pending: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      started.onBytes?.(chunk.length);
      let from = 0;
      for (let newline = chunk.indexOf(10); newline >= 0 && started.onLine; newline = chunk.indexOf(10, from)) {
        pending.push(chunk.subarray(from, newline));
        const line = Buffer.concat(pending).toString("utf8");
        pending = [];
        from = newline + 1;
        started.onLine(line);
      }
      if (from < chunk.length && started.onLine) pending.push(chunk.subarray(from));
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (started.stderr.length < 4096) started.stderr += chunk.toString("utf8");
    });
    child.stdin.on("error", () => undefined);
    const ended = (why: string, killed: boolean) => {
      if (worker === started) worker = undefined;
      started.onExit?.(why, killed);
    };
    child.on("error", (error) => ended(`could not start ${python}: ${error.message}`, false));
    child.on("close", (code, signal) =>
      ended(`exit ${signal ?? code}${started.stderr ? `: ${started.stderr.trim()}` : ""}`, signal === "SIGKILL" && !started.stopped),
    );
    // Idle, the worker holds no event-loop reference: a CLI that never calls close() still exits.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    return started;
  };

  const stop = (target: Worker | undefined) => {
    if (!target) return;
    if (worker === target) worker = undefined;
    // Its output is not read further, and a request still out (close() during it) fails now, as the environment's.
    const pendingExit = target.onExit;
    target.onLine = undefined;
    target.onBytes = undefined;
    target.onExit = undefined;
    target.stopped = true;
    target.child.kill("SIGKILL");
    pendingExit?.("stopped by the runner", false);
  };
  // A worker whose exit was seen while idle (its close event, which waits for the pipes, not delivered yet) gets no request.
  const alive = (target: Worker | undefined) => target !== undefined && target.child.exitCode === null && target.child.signalCode === null;

  const request = (workspace: string, files: string[]): Promise<{ uses: ApiUse[]; killed?: boolean }> => {
    if (worker && (worker.served >= maxRequests || !alive(worker))) stop(worker);
    const current = (worker ??= start());
    current.served += 1;
    count.requests += 1;
    return new Promise<{ uses: ApiUse[]; killed?: boolean }>((resolve, reject) => {
      const uses: ApiUse[] = [];
      let bytes = 0;
      const finish = (outcome: { uses: ApiUse[]; killed?: boolean } | { error: Error }) => {
        clearTimeout(timer);
        current.onLine = undefined;
        current.onBytes = undefined;
        current.onExit = undefined;
        if ("uses" in outcome) resolve(outcome);
        else reject(outcome.error);
      };
      // The timer is the one reference held while a request is out: the process waits for its answer.
      // finish() before stop() in each path below: stop() fails whatever request is still out.
      const timer = setTimeout(() => {
        finish({ uses: unchecked(files, `code the checker could not read within ${timeoutMs} ms`) });
        stop(current);
      }, timeoutMs);
      // A SIGKILL not sent here is the kernel's (out of memory): tried once more on a new worker (the host may have
      // been short of memory), then it fails closed, as for a timeout. Any other end is the environment's.
      current.onExit = (why, killed) =>
        finish(
          killed
            ? { uses: unchecked(files, `code the checker could not read (${why})`), killed: true }
            : { error: new EnvironmentError(`the Python code-policy check failed (${why})`) },
        );
      current.onBytes = (chunk) => {
        bytes += chunk;
        if (bytes <= maxOutputBytes) return;
        finish({ uses: unchecked(files, "more names than the checker reads") });
        stop(current);
      };
      current.onLine = (line) => {
        if (line === END) {
          finish({ uses });
          if (residentBytes(current.child.pid) > maxRssBytes) stop(current);
        } else if (line) {
          try {
            const parsed = lineSchema.parse(JSON.parse(line));
            const file = files[parsed.f];
            if (file !== undefined) uses.push({ file, line: parsed.l, key: parsed.k, shown: parsed.d });
          } catch (error) {
            finish({ error: new EnvironmentError("the Python code-policy check answered a line it should not have", { cause: error }) });
            stop(current);
          }
        }
      };
      current.child.stdin.write(`${JSON.stringify({ root: workspace, files })}\n`);
    });
  };

  return {
    analyse(workspace, files) {
      if (files.length === 0) return Promise.resolve([]);
      const answer = queue
        .then(() => request(workspace, files))
        .then((first) => (first.killed ? request(workspace, files) : first))
        .then((last) => last.uses);
      queue = answer.catch(() => undefined);
      return answer;
    },
    close: () => stop(worker),
    served: () => ({ ...count, ...(worker?.child.pid ? { pid: worker.child.pid } : {}) }),
  };
}

/** One analysis with a worker of its own, ended afterwards: for callers that grade a single submission. */
export async function analysePython(workspace: string, files: string[], options: PythonAnalysisOptions = {}): Promise<ApiUse[]> {
  const analyser = createPythonAnalyser(options);
  try {
    return await analyser.analyse(workspace, files);
  } finally {
    analyser.close();
  }
}
