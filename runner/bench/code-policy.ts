/**
 * What the code policy costs a normal submission (issue 14, Python and Node): the static check (checkSource on
 * the sample solutions, as the pipeline calls it after extraction) and the runtime guard (the sample PIT's test
 * command run with and without the guard's environment, paired and interleaved so both see the same load).
 * Medians of N. Run alone: `npx ts-node bench/code-policy.ts [N]`; `npm run bench` runs it as a section
 * (`--no-code-policy` skips it, `--code-policy-only` runs nothing else).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { templateFiles } from "../src/admit/select-files";
import { checkSource } from "../src/code-policy/check-source";
import { createPythonAnalyser, type PythonAnalyser } from "../src/code-policy/python/python-analyser";
import { runtimeGuardEnv } from "../src/code-policy/runtime-guard";
import { reportPathsFor } from "../src/grading/report-files";
import type { PitConfig } from "../src/pit-config/interfaces/pit-config.interface";
import type { LoadedPit } from "../src/pit-config/pit-config.service";
import { median, round } from "./stats";

const RUNNER_DIR = path.resolve(__dirname, "..");
const SAMPLES: [pit: string, sample: string][] = [
  ["python-pytest-dummy-dev", "passing"],
  ["python-pytest-dummy-dev", "partial"],
  ["javascript-node-dummy-dev", "passing"],
  ["javascript-node-dummy-dev", "partial"],
];

export interface CodePolicyRow {
  pit: string;
  sample: string;
  checkMs: number;
  /** Python: the same check with an interpreter started for it, as every submission paid before the worker was kept. */
  oneShotCheckMs?: number;
  plainRunMs: number;
  guardedRunMs: number;
  guardMs: number;
  guardRatio: number;
  /** Mean CPU (user + system) of a run, ms. */
  plainCpuMs: number;
  guardedCpuMs: number;
  /** With --code-policy-baseline: the same, paired, for that commit's Python guards (Python samples only). */
  baselineGuardMs?: number;
  baselineRatio?: number;
}

export interface CodePolicyOptions {
  /** A commit whose runner/guards/python is measured in the same run, interleaved with the current guards. */
  baseline?: string;
}

/** That commit's Python guards, compiled, in a folder of their own (git show: the working tree is not touched). */
function baselineGuards(scratch: string, rev: string): string {
  const dir = path.join(scratch, `guards-${rev}`, "python");
  mkdirSync(dir, { recursive: true });
  for (const file of ["sitecustomize.py", "runner_code_policy_pytest.py"]) {
    const shown = spawnSync("git", ["show", `${rev}:runner/guards/python/${file}`], { cwd: RUNNER_DIR, encoding: "utf8" });
    if (shown.status !== 0) throw new Error(`git show ${rev}:runner/guards/python/${file} failed: ${shown.stderr}`);
    writeFileSync(path.join(dir, file), shown.stdout);
  }
  const compiled = spawnSync(path.join(RUNNER_DIR, "guards", "python", "compile.sh"), [dir], { encoding: "utf8" });
  if (compiled.status !== 0) throw new Error(`compiling ${rev}'s guards failed: ${compiled.stderr}`);
  return dir;
}

async function loadPit(pitId: string): Promise<LoadedPit> {
  const config = JSON.parse(await readFile(path.join(RUNNER_DIR, "pits", `${pitId}.json`), "utf8")) as PitConfig;
  return { pitId, config, templateDir: path.join(RUNNER_DIR, "pits", pitId) };
}

/** CPU of the reaped children so far, ms (cutime + cstime, 10 ms ticks: only sums over many runs mean much). */
function childCpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Wall and CPU time of one run of `command`: CPU is what a loaded, shared machine distorts least. */
function timed(command: string, cwd: string, env: Record<string, string>): { wall: number; cpu: number } {
  const cpu = childCpuMs();
  const start = process.hrtime.bigint();
  const result = spawnSync("/bin/sh", ["-c", command], { cwd, env, stdio: "ignore", timeout: 120_000 });
  if (result.error) throw result.error;
  return { wall: Number(process.hrtime.bigint() - start) / 1e6, cpu: childCpuMs() - cpu };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

async function benchSample(scratch: string, python: PythonAnalyser, pitId: string, sample: string, runs: number, baselineDir?: string): Promise<CodePolicyRow> {
  const pit = await loadPit(pitId);
  const workspace = path.join(scratch, `${pitId}-${sample}`);
  await cp(path.join(RUNNER_DIR, "samples", pitId, sample), workspace, { recursive: true });
  const studentFiles = readdirSync(workspace);
  // The static check runs on the files as extracted, before the template is laid over them, with the worker the
  // runner keeps (started once per runner, by the first Python submission: not counted here).
  const checks: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    await checkSource({ pit, workspace, studentFiles, python });
    checks.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const oneShot: number[] = [];
  for (let i = 0; pit.config.buildTool === "pytest" && i < runs; i += 1) {
    const start = process.hrtime.bigint();
    await checkSource({ pit, workspace, studentFiles });
    oneShot.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  await cp(pit.templateDir, workspace, { recursive: true });
  const home = path.join(workspace, "..", `${pitId}-${sample}-home`);
  await mkdir(home, { recursive: true });
  const env: Record<string, string> = { PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: home, LANG: "C.UTF-8", TMPDIR: home, ...pit.config.environment };
  const guarded = { ...env, ...runtimeGuardEnv({ pit, workspace, studentFiles, templateFiles: templateFiles(pit.templateDir), reportPaths: reportPathsFor(pit.config.buildTool, pit.config.reportPaths), guardsDir: path.join(RUNNER_DIR, "guards"), env }) };
  // The baseline's guards in place of the current ones, everything else alike (Python only: the Node guard is one file).
  const ownPython = path.join(RUNNER_DIR, "guards", "python");
  const baseline = baselineDir && guarded.PYTHONPATH?.startsWith(ownPython) ? { ...guarded, PYTHONPATH: baselineDir + guarded.PYTHONPATH.slice(ownPython.length) } : undefined;
  for (const setup of pit.config.setupCommands ?? []) timed(setup, workspace, env);
  const series = { plain: [] as { wall: number; cpu: number }[], guard: [] as { wall: number; cpu: number }[], baseline: [] as { wall: number; cpu: number }[] };
  const envs = { plain: env, guard: guarded, ...(baseline ? { baseline } : {}) };
  timed(pit.config.testCommand, workspace, guarded); // warm the page cache once
  for (let i = 0; i < runs; i += 1) {
    // Alternating the order, so a slow moment of the shared machine does not always hit the same side.
    const order = Object.keys(envs) as (keyof typeof series)[];
    if (i % 2 === 1) order.reverse();
    for (const name of order) series[name].push(timed(pit.config.testCommand, workspace, envs[name as keyof typeof envs] ?? env));
  }
  const { plain, guard: withGuard } = series;
  const paired = (runsOf: { wall: number }[]) => ({
    ms: round(median(plain.map((p, i) => (runsOf[i]?.wall ?? p.wall) - p.wall)), 0),
    ratio: round(median(plain.map((p, i) => (runsOf[i]?.wall ?? p.wall) / p.wall)), 2),
  });
  const guard = paired(withGuard);
  return {
    pit: pitId,
    sample,
    checkMs: round(median(checks), 1),
    ...(oneShot.length > 0 ? { oneShotCheckMs: round(median(oneShot), 1) } : {}),
    plainRunMs: round(median(plain.map((p) => p.wall)), 0),
    guardedRunMs: round(median(withGuard.map((p) => p.wall)), 0),
    plainCpuMs: round(mean(plain.map((p) => p.cpu)), 0),
    guardedCpuMs: round(mean(withGuard.map((p) => p.cpu)), 0),
    guardMs: guard.ms,
    guardRatio: guard.ratio,
    ...(baseline ? { baselineGuardMs: paired(series.baseline).ms, baselineRatio: paired(series.baseline).ratio } : {}),
  };
}

export async function runCodePolicyBench(runs: number, options: CodePolicyOptions = {}): Promise<CodePolicyRow[]> {
  // As in the image: the Python guards load from their .pyc files, never compiled per run.
  const compiled = spawnSync(path.join(RUNNER_DIR, "guards", "python", "compile.sh"), [], { encoding: "utf8" });
  if (compiled.status !== 0) throw new Error(`guards/python/compile.sh failed: ${compiled.stderr}`);
  const scratch = await mkdtemp(path.join(os.tmpdir(), "bench-code-policy-"));
  const python = createPythonAnalyser();
  try {
    const rows: CodePolicyRow[] = [];
    await python.analyse(RUNNER_DIR, ["guards/python/sitecustomize.py"]); // the worker's start, once per runner
    const baselineDir = options.baseline ? baselineGuards(scratch, options.baseline) : undefined;
    for (const [pit, sample] of SAMPLES) rows.push(await benchSample(scratch, python, pit, sample, runs, baselineDir));
    return rows;
  } finally {
    python.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

export function codePolicyTable(rows: CodePolicyRow[], baseline?: string): string {
  const extra = baseline ? ` ${baseline}'s Python guard (ms, paired; ratio) |` : "";
  const lines = [
    `| PIT / sample | static check (ms; one-shot interpreter) | run without guard (ms) | with guard (ms) | guard (ms, paired) | ratio (paired) | CPU without / with guard (ms) |${extra}`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: |${baseline ? " ---: |" : ""}`,
  ];
  for (const r of rows) {
    const old = baseline ? ` ${r.baselineGuardMs === undefined ? "-" : `${r.baselineGuardMs}; ${r.baselineRatio}`} |` : "";
    const check = r.oneShotCheckMs === undefined ? `${r.checkMs}` : `${r.checkMs}; ${r.oneShotCheckMs}`;
    lines.push(`| ${r.pit} / ${r.sample} | ${check} | ${r.plainRunMs} | ${r.guardedRunMs} | ${r.guardMs} | ${r.guardRatio} | ${r.plainCpuMs} / ${r.guardedCpuMs} |${old}`);
  }
  return lines.join("\n");
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? 15);
  const baseline = process.argv[3];
  runCodePolicyBench(runs, { baseline })
    .then((rows) => {
      console.log(`\n## Code policy checks (median of ${runs}; static check in-process, test runs as the runner's user)\n`);
      console.log(codePolicyTable(rows, baseline));
    })
    .catch((error: unknown) => {
      console.error("code-policy bench failed:", error);
      process.exit(1);
    });
}
