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
