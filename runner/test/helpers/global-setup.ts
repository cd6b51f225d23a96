import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Runs in vitest's main process before the workers are forked, so these fake secrets are part of every
 * worker's initial environment: exactly what /proc/<runner pid>/environ would reveal to a student.
 * Nothing reads them; config is always built from the local stack's own values.
 */
export const FAKE_SECRETS = {
  AWS_SECRET_ACCESS_KEY: "hostile-test-aws-secret-7f3a9c41",
  DATABASE_URL: "postgres://runner:hostile-test-db-password-5e1b@127.0.0.1:1/none",
};
export const FAKE_DB_PASSWORD = "hostile-test-db-password-5e1b";

/**
 * The sandbox launcher (guards/launcher): uid-mode runners refuse to start without it. `make` rebuilds it only
 * when its source is newer; without gcc or libseccomp-dev the tests that need it fail and say why.
 */
function buildLauncher(): void {
  const dir = path.resolve(__dirname, "..", "..", "guards", "launcher");
  const made = spawnSync("make", ["-s", "-C", dir], { encoding: "utf8" });
  if (made.status !== 0) console.error(`global setup: the sandbox launcher was not built (${made.error?.message ?? made.stderr.trim()})`);
}

/**
 * The runner-owned Java guard (guards/java: runner-guard.jar and Maven's CDS archive): Maven PITs fail as an
 * environment error without the jar. Rebuilt only when a source is newer than the jar.
 */
function buildJavaGuard(): void {
  const dir = path.resolve(__dirname, "..", "..", "guards", "java");
  const jar = path.join(dir, "runner-guard.jar");
  const built = statSync(jar, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = ["build.sh", "build-cds.sh", ...readdirSync(path.join(dir, "src", "runnerguard")).map((f) => path.join("src", "runnerguard", f))];
  if (sources.every((f) => statSync(path.join(dir, f)).mtimeMs < built)) return;
  const made = spawnSync(path.join(dir, "build.sh"), [], { encoding: "utf8" });
  if (made.status !== 0) console.error(`global setup: the Java guard was not built (${made.error?.message ?? made.stderr.trim()})`);
}

/** The Python guards' .pyc files, as the image has them (guards/python/compile.sh; only stale ones are rewritten). */
function compilePythonGuards(): void {
  const made = spawnSync(path.resolve(__dirname, "..", "..", "guards", "python", "compile.sh"), [], { encoding: "utf8" });
  if (made.status !== 0) console.error(`global setup: the Python guards were not compiled (${made.error?.message ?? made.stderr.trim()})`);
}

export default function setup(): void {
  for (const [key, value] of Object.entries(FAKE_SECRETS)) process.env[key] = value;
  buildLauncher();
  buildJavaGuard();
  compilePythonGuards();
}
