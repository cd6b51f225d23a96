import type { FloorSample } from "./floor";
import type { MemoryResult } from "./memory";
import { median, percentile, round } from "./stats";
import type { LevelResult } from "./throughput";

export interface LevelSummary {
  concurrency: number;
  submissions: number;
  perSecond: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  receiveP50Ms: number;
  processP50Ms: number;
  stagesP50Ms: Record<string, number>;
  errorLines: number;
  busyCores: number | undefined;
  /** Cores the runner process kept busy itself, its event loop (main thread) alone, and its test commands. */
  runnerCores: number | undefined;
  eventLoopCores: number | undefined;
  /** The bench process (fauxqs and the driver): its main thread's cores. */
  benchLoopCores: number | undefined;
  testCores: number | undefined;
}

export function summarizeLevel(level: LevelResult): LevelSummary {
  const names: string[] = [];
  for (const sample of level.samples) for (const name of Object.keys(sample.stages)) if (!names.includes(name)) names.push(name);
  const stagesP50Ms = Object.fromEntries(
    names.map((name) => [name, round(median(level.samples.flatMap((s) => (name in s.stages ? [s.stages[name] as number] : []))), 2)]),
  );
  return {
    concurrency: level.concurrency,
    submissions: level.submissions,
    perSecond: round(level.submissions / (level.elapsedMs / 1000), 2),
    latencyP50Ms: round(percentile(level.samples.map((s) => s.latencyMs), 50)),
    latencyP95Ms: round(percentile(level.samples.map((s) => s.latencyMs), 95)),
    receiveP50Ms: round(median(level.samples.map((s) => s.receiveMs))),
    processP50Ms: round(median(level.samples.map((s) => s.processMs))),
    stagesP50Ms,
    errorLines: level.errorLines,
    busyCores: level.busyCores === undefined ? undefined : round(level.busyCores, 2),
    runnerCores: level.runnerCores === undefined ? undefined : round(level.runnerCores.own, 2),
    eventLoopCores: level.runnerCores === undefined ? undefined : round(level.runnerCores.mainThread, 2),
    benchLoopCores: level.benchCores === undefined ? undefined : round(level.benchCores.mainThread, 2),
    testCores: level.runnerCores === undefined ? undefined : round(level.runnerCores.children, 2),
  };
}

export type FloorSummary = Record<keyof FloorSample, number>;

export function summarizeFloor(samples: FloorSample[]): FloorSummary {
  const keys = ["download", "extract", "spawn", "upload", "update", "total"] as const;
  return Object.fromEntries(keys.map((k) => [k, round(median(samples.map((s) => s[k])), 2)])) as FloorSummary;
}

function table(rows: (string | number)[][]): string {
  const cells = rows.map((row) => row.map(String));
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0))) ?? [];
  return cells.map((row) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`).join("\n");
}

/** The throughput table in Markdown, as pasted into BENCHMARKS.md. */
export function levelsTable(levels: LevelSummary[]): string {
  const stageNames = [...new Set(levels.flatMap((l) => Object.keys(l.stagesP50Ms)))];
  const header = ["conc", "subs/s", "busy cores", "runner cores", "event loop", "test cores", "fauxqs loop", "e2e p50 ms", "e2e p95 ms", "receive", ...stageNames, "runner p50"];
  const rows = levels.map((l) => [
    l.concurrency,
    l.perSecond,
    l.busyCores ?? "-",
    l.runnerCores ?? "-",
    l.eventLoopCores ?? "-",
    l.testCores ?? "-",
    l.benchLoopCores ?? "-",
    l.latencyP50Ms,
    l.latencyP95Ms,
    l.receiveP50Ms,
    ...stageNames.map((n) => l.stagesP50Ms[n] ?? "-"),
    l.processP50Ms,
  ]);
  return table([header, header.map(() => "---"), ...rows]);
}

export function floorTable(floor: FloorSummary): string {
  const keys = Object.keys(floor) as (keyof FloorSummary)[];
  return table([keys, keys.map(() => "---"), keys.map((k) => floor[k])]);
}

export function memoryTable(m: MemoryResult): string {
  return table([
    ["zip MB", "files", "unpacked MB", "download ms", "extract ms", "unzip -q ms", "extract / unzip", "baseline RSS MB", "peak RSS MB"],
    Array.from({ length: 9 }, () => "---"),
    [
      round(m.zipMb),
      m.files,
      round(m.unpackedMb),
      round(m.downloadMs, 0),
      round(m.extractMs, 0),
      round(m.unzipMs, 0),
      round(m.extractVsUnzip, 2),
      round(m.baselineRssMb),
      round(m.peakRssMb),
    ],
  ]);
}
