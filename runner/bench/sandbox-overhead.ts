/**
 * Measures what the sandbox adds to grading one submission: the passing Node sample is graded N times each
 * way, interleaved so all see the same machine load: `plain` (/bin/sh as the runner itself, rimraf), `setpriv`
 * (the sandbox before the launcher: uid switch, setpriv --no-new-privs, the shell's ulimit or prlimit, kill by
 * uid, temp sweep, reclaiming removal) and `launcher` (the same with guards/launcher's one exec: limits,
 * no_new_privs and the seccomp filter). Both sandboxes are ratios to `plain` from the same run.
 *
 *   npx ts-node bench/sandbox-overhead.ts [N]     (as root, or with the capabilities of backend.md)
 */
import { chmod, cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { rimraf } from "rimraf";
import { runCommand } from "../src/execute/run-command";
import { detectHostTools } from "../src/sandbox/host-tools";
import { Sandbox } from "../src/sandbox/sandbox";
import { DEFAULT_SANDBOX } from "../src/sandbox/sandbox-settings";

const RUNNER_DIR = path.resolve(__dirname, "..");
const PIT = "javascript-node-dummy-dev";
const runs = Number(process.argv[2] ?? 20);

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const log = pino({ level: "silent" });
  const tools = detectHostTools(DEFAULT_SANDBOX);
  if (!tools.launcher) throw new Error(`the launcher is needed for the comparison: ${tools.launcherProblem}`);
  const sandboxes = {
    setpriv: Sandbox.create({ ...DEFAULT_SANDBOX, mode: "uid", uidBase: 45_000 }, 1, log, { ...tools, launcher: undefined }),
    launcher: Sandbox.create({ ...DEFAULT_SANDBOX, mode: "uid", uidBase: 45_100 }, 1, log, tools),
  };
  const base = await mkdtemp(path.join(os.tmpdir(), "sandbox-bench-"));
  await chmod(base, 0o711);
  const modes = ["plain", "setpriv", "launcher"] as const;
  const times: Record<(typeof modes)[number], number[]> = { plain: [], setpriv: [], launcher: [] };
  const phases: Record<string, number[]> = {};
  const lap = (name: string, since: number) => (phases[name] ??= []).push(performance.now() - since);
  for (let i = 0; i < runs * modes.length; i += 1) {
    const mode = modes[i % modes.length]!;
    const sandbox = mode === "plain" ? undefined : sandboxes[mode];
    const dirs = await prepare(base, `run-${i}`);
    const env = { PATH: "/usr/bin:/bin", HOME: dirs.home, LANG: "C.UTF-8", TMPDIR: dirs.tmpdir };
    const started = performance.now();
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
    if (i >= modes.length) times[mode].push(elapsed); // the first round warms caches
  }
  await rm(base, { recursive: true, force: true });
  const plain = median(times.plain);
  const ratio = (value: number) => Math.round((value / plain) * 1000) / 1000;
  const setpriv = median(times.setpriv);
  const launcher = median(times.launcher);
  console.log(
    JSON.stringify({
      runs: times.plain.length,
      plainMedianMs: Math.round(plain),
      setprivMedianMs: Math.round(setpriv),
      launcherMedianMs: Math.round(launcher),
      setprivRatio: ratio(setpriv),
      launcherRatio: ratio(launcher),
      launcherOverSetpriv: Math.round((launcher / setpriv) * 1000) / 1000,
      phaseMediansMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
