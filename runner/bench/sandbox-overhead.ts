/**
 * Measures what the sandbox adds to grading one submission: the passing Node sample is graded N times as the
 * runner did before (plain /bin/sh as itself, rimraf) and N times through the sandbox (uid switch, prlimit,
 * setpriv, kill by uid, temp sweep, reclaiming removal), interleaved so both see the same machine load.
 *
 *   npx ts-node bench/sandbox-overhead.ts [N]     (as root, or with the capabilities of backend.md)
 */
import { chmod, cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { rimraf } from "rimraf";
import { runCommand } from "../src/execute/run-command";
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
  const sandbox = Sandbox.create({ ...DEFAULT_SANDBOX, mode: "uid", uidBase: 45_000 }, 1, log);
  const base = await mkdtemp(path.join(os.tmpdir(), "sandbox-bench-"));
  await chmod(base, 0o711);
  const times: Record<"plain" | "sandbox", number[]> = { plain: [], sandbox: [] };
  const phases: Record<string, number[]> = {};
  const lap = (name: string, since: number) => (phases[name] ??= []).push(performance.now() - since);
  for (let i = 0; i < runs * 2; i += 1) {
    const mode = i % 2 === 0 ? "plain" : "sandbox";
    const dirs = await prepare(base, `run-${i}`);
    const env = { PATH: "/usr/bin:/bin", HOME: dirs.home, LANG: "C.UTF-8", TMPDIR: dirs.tmpdir };
    const started = performance.now();
    if (mode === "sandbox") {
      await sandbox.enter(0, { workspace: dirs.workspace, runTmpDir: dirs.tmp, privateDirs: [dirs.home, dirs.tmpdir] }, log);
    }
    const runStarted = performance.now();
    const result = await runCommand({
      command: "node --test",
      cwd: dirs.workspace,
      env,
      timeoutMs: 30_000,
      maxOutputBytes: 1024 * 1024,
      killGraceMs: 2000,
      launch: mode === "sandbox" ? sandbox.launch(0) : undefined,
    });
    const cleanupStarted = performance.now();
    lap(`${mode}:run`, runStarted);
    if (mode === "sandbox") await sandbox.cleanup(0, [dirs.workspace, dirs.tmp], log);
    else await rimraf([dirs.workspace, dirs.tmp]);
    lap(`${mode}:cleanup`, cleanupStarted);
    const elapsed = performance.now() - started;
    if (result.exitCode !== 0) throw new Error(`${mode} run ${i} failed:\n${result.output}`);
    if (i >= 2) times[mode].push(elapsed); // the first pair warms caches
  }
  await rm(base, { recursive: true, force: true });
  const plain = median(times.plain);
  const boxed = median(times.sandbox);
  console.log(
    JSON.stringify({
      runs: times.plain.length,
      plainMedianMs: Math.round(plain),
      sandboxMedianMs: Math.round(boxed),
      ratio: Math.round((boxed / plain) * 1000) / 1000,
      overheadMs: Math.round(boxed - plain),
      phaseMediansMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
