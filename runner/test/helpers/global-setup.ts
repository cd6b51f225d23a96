import { spawnSync } from "node:child_process";
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

export default function setup(): void {
  for (const [key, value] of Object.entries(FAKE_SECRETS)) process.env[key] = value;
  buildLauncher();
}
