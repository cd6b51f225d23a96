import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

interface CpuTicks {
  busy: number;
  total: number;
}

function readTicks(): CpuTicks | undefined {
  try {
    const fields = /^cpu\s+(.*)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]?.trim().split(/\s+/).map(Number);
    if (!fields || fields.length < 5) return undefined;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
  } catch {
    return undefined;
  }
}

/**
 * How many cores the whole machine kept busy between start and stop (runner, fauxqs, PostgreSQL, test processes
 * and the bench itself). A closed loop at concurrency 1 that already keeps ~1 core busy cannot reach 2.5x on 2
 * cores at concurrency 4, however the runner schedules its work: this is the figure that says so.
 */
export function startCpuMeter(): () => number | undefined {
  const start = readTicks();
  return () => {
    const end = readTicks();
    if (!start || !end || end.total === start.total) return undefined;
    return ((end.busy - start.busy) / (end.total - start.total)) * os.availableParallelism();
  };
}

export interface ProcessCores {
  /** The process's own CPU: for the runner, its event loop, V8's threads and libuv's pool. */
  own: number;
  /** Its main thread alone: for Node, the event loop, which can never use more than one core. */
  mainThread: number;
  /** Its children that ended and were reaped meanwhile: for the runner, the test commands and the kill helpers. */
  children: number;
}

/** The same three figures in clock ticks, as /proc counts them. */
type ProcessTicks = Record<keyof ProcessCores, number>;

function clockTicks(): number {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime, stime, cutime and cstime of a /proc stat line. */
function statTimes(file: string): [number, number, number, number] {
  const stat = readFileSync(file, "utf8");
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
  return [utime, stime, cutime, cstime];
}

function readProcessTicks(pid: number): ProcessTicks | undefined {
  try {
    const [utime, stime, cutime, cstime] = statTimes(`/proc/${pid}/stat`);
    // The main thread's id is the process id.
    const [mainUtime, mainStime] = statTimes(`/proc/${pid}/task/${pid}/stat`);
    return { own: utime + stime, mainThread: mainUtime + mainStime, children: cutime + cstime };
  } catch {
    return undefined;
  }
}

/** How many cores one process (and its reaped children) kept busy between start and stop; undefined off Linux. */
export function startProcessCpuMeter(pid: number | undefined): () => ProcessCores | undefined {
  const ticksPerSecond = clockTicks();
  const start = pid === undefined ? undefined : readProcessTicks(pid);
  const startedAt = performance.now();
  return () => {
    const end = pid === undefined ? undefined : readProcessTicks(pid);
    const seconds = (performance.now() - startedAt) / 1000;
    if (!start || !end || seconds <= 0) return undefined;
    const cores = (key: keyof ProcessTicks) => (end[key] - start[key]) / ticksPerSecond / seconds;
    return { own: cores("own"), mainThread: cores("mainThread"), children: cores("children") };
  };
}
