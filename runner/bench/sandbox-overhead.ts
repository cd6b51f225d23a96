/**
 * Measures what the sandbox adds to grading one submission: the passing Node sample is graded N times each
 * way, interleaved so all see the same machine load: `plain` (/bin/sh as the runner itself, rimraf), `setpriv`
 * (the sandbox before the launcher: uid switch, setpriv --no-new-privs, the shell's ulimit or prlimit, kill by
 * uid, temp sweep, reclaiming removal) and `launcher` (the same with guards/launcher's one exec: limits,
 * no_new_privs and the seccomp filter). Both sandboxes are ratios to `plain` from the same run.
 *
 *   npm run bench -- --sandbox-only [--sandbox-n=N]     (part of every `npm run bench`, unless --no-sandbox)
 *   npx ts-node bench/sandbox-overhead.ts [N]             (as root, or with the capabilities of backend.md)
 */
import { readFileSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { rimraf } from "rimraf";
import { runCommand } from "../src/execute/run-command";
import { median } from "./stats";
import { detectHostTools } from "../src/sandbox/host-tools";
import { Sandbox } from "../src/sandbox/sandbox";
import { DEFAULT_SANDBOX } from "../src/sandbox/sandbox-settings";

const RUNNER_DIR = path.resolve(__dirname, "..");
const PIT = "javascript-node-dummy-dev";

async function prepare(base: string, id: string): Promise<{ workspace: string; tmp: string; home: string; tmpdir: string }> {
  const workspace = path.join(base, "work", id);
  const tmp = path.join(base, "tmp", id);
  await cp(path.join(RUNNER_DIR, "samples", PIT, "passing"), workspace, { recursive: true });
  await cp(path.join(RUNNER_DIR, "pits", PIT), workspace, { recursive: true });
  const home = path.join(tmp, "home");
  const tmpdir = path.join(tmp, "tmp");
  await mkdir(home, { recursive: true });
  await mkdir(tmpdir, { recursive: true });
  return { workspace, tmp, home, tmpdir };
}

/**
 * CPU this process and its reaped children used so far, in ms: less sensitive than wall time to what else the
 * (shared) machine runs. Children's ticks are 10 ms (USER_HZ 100), so only sums over many runs mean anything.
 */
function cpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  const childTicks = Number(fields[13]) + Number(fields[14]); // cutime, cstime (fields 16 and 17 of proc(5))
  const self = process.cpuUsage();
  return childTicks * 10 + (self.user + self.system) / 1000;
}

export interface SandboxOverhead {
  runs: number;
  plainMedianMs: number;
  setprivMedianMs: number;
  launcherMedianMs: number;
  setprivRatio: number;
  launcherRatio: number;
  launcherOverSetpriv: number;
  cpuMeanMs: Record<string, number>;
  cpuRatios: { setpriv: number; launcher: number };
  phaseMediansMs: Record<string, number>;
}

/** The sandbox before the launcher (setpriv + ulimit) and with it, each as a ratio to no sandbox, in one run. */
export async function runSandboxOverhead(runs: number): Promise<SandboxOverhead> {
  const log = pino({ level: "silent" });
  const tools = detectHostTools(DEFAULT_SANDBOX);
  if (!tools.launcher) throw new Error(`the launcher is needed for the comparison: ${tools.launcherProblem}`);
  const sandboxes = {
    // `auto` is the mode that still runs without a launcher (uid refuses to); as root it resolves to uid.
    setpriv: Sandbox.create({ ...DEFAULT_SANDBOX, mode: "auto", uidBase: 45_000 }, 1, log, { ...tools, launcher: undefined }),
    launcher: Sandbox.create({ ...DEFAULT_SANDBOX, mode: "uid", uidBase: 45_100 }, 1, log, tools),
  };
  const base = await mkdtemp(path.join(os.tmpdir(), "sandbox-bench-"));
  await chmod(base, 0o711);
  const modes = ["plain", "setpriv", "launcher"] as const;
  const times: Record<(typeof modes)[number], number[]> = { plain: [], setpriv: [], launcher: [] };
  const cpu: Record<(typeof modes)[number], number> = { plain: 0, setpriv: 0, launcher: 0 };
  const phases: Record<string, number[]> = {};
  const lap = (name: string, since: number) => (phases[name] ??= []).push(performance.now() - since);
  for (let i = 0; i < runs * modes.length; i += 1) {
    // Each round starts one mode later, so every mode runs as often first, second and third in its round.
    const mode = modes[(i + Math.floor(i / modes.length)) % modes.length]!;
    const sandbox = mode === "plain" ? undefined : sandboxes[mode];
    const dirs = await prepare(base, `run-${i}`);
    const env = { PATH: "/usr/bin:/bin", HOME: dirs.home, LANG: "C.UTF-8", TMPDIR: dirs.tmpdir };
    const started = performance.now();
    const cpuStarted = cpuMs();
    await sandbox?.enter(0, { workspace: dirs.workspace, runTmpDir: dirs.tmp, privateDirs: [dirs.home, dirs.tmpdir] }, log);
    const runStarted = performance.now();
    const result = await runCommand({
      command: "node --test",
      cwd: dirs.workspace,
      env,
      timeoutMs: 30_000,
      maxOutputBytes: 1024 * 1024,
      killGraceMs: 2000,
      launch: sandbox?.launch(0),
    });
    const cleanupStarted = performance.now();
    lap(`${mode}:run`, runStarted);
    if (sandbox) await sandbox.cleanup(0, [dirs.workspace, dirs.tmp], log);
    else await rimraf([dirs.workspace, dirs.tmp]);
    lap(`${mode}:cleanup`, cleanupStarted);
    const elapsed = performance.now() - started;
    if (result.exitCode !== 0) throw new Error(`${mode} run ${i} failed:\n${result.output}`);
    // The first round warms caches.
    if (i >= modes.length) {
      times[mode].push(elapsed);
      cpu[mode] += cpuMs() - cpuStarted;
    }
  }
  await rm(base, { recursive: true, force: true });
  const plain = median(times.plain);
  const ratio = (value: number) => Math.round((value / plain) * 1000) / 1000;
  const setpriv = median(times.setpriv);
  const launcher = median(times.launcher);
  return {
    runs: times.plain.length,
    plainMedianMs: Math.round(plain),
    setprivMedianMs: Math.round(setpriv),
    launcherMedianMs: Math.round(launcher),
    setprivRatio: ratio(setpriv),
    launcherRatio: ratio(launcher),
    launcherOverSetpriv: Math.round((launcher / setpriv) * 1000) / 1000,
    // Mean CPU per submission (the bench's own work for it plus every process it ran), and its ratios.
    cpuMeanMs: Object.fromEntries(modes.map((m) => [m, Math.round(cpu[m] / times[m].length)])),
    cpuRatios: { setpriv: Math.round((cpu.setpriv / cpu.plain) * 1000) / 1000, launcher: Math.round((cpu.launcher / cpu.plain) * 1000) / 1000 },
    phaseMediansMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])),
  };
}

export function sandboxTable(r: SandboxOverhead): string {
  return [
    "| sandbox | median ms per submission | ratio to none | CPU ms per submission | CPU ratio to none |",
    "| --- | --- | --- | --- | --- |",
    `| none (runner's own user) | ${r.plainMedianMs} | 1 | ${r.cpuMeanMs.plain} | 1 |`,
    `| setpriv + ulimit (before the launcher) | ${r.setprivMedianMs} | ${r.setprivRatio} | ${r.cpuMeanMs.setpriv} | ${r.cpuRatios.setpriv} |`,
    `| launcher (limits + seccomp, one exec) | ${r.launcherMedianMs} | ${r.launcherRatio} | ${r.cpuMeanMs.launcher} | ${r.cpuRatios.launcher} |`,
    "",
    `launcher / setpriv: ${r.launcherOverSetpriv} (${r.runs} runs of each, interleaved)`,
  ].join("\n");
}

if (require.main === module) {
  runSandboxOverhead(Number(process.argv[2] ?? 20))
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
