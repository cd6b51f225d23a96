import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { RUNNER_ROOT } from "../config";
import { javaGuardFiles } from "../prepare/maven-settings";

const run = promisify(execFile);

/**
 * `npm run local` grades the Java samples too, and a Maven run without the runner's guard jar is an environment
 * failure (retried for minutes). So the jar is built here when it is missing, as the tests' global setup does.
 * Returns why it could not be, if it could not (no JDK: the Java samples are then skipped anyway).
 */
export async function ensureJavaGuard(guardsDir: string): Promise<string | undefined> {
  const { jar } = javaGuardFiles(guardsDir);
  if (existsSync(jar)) return undefined;
  try {
    await run(path.join(RUNNER_ROOT, "guards", "java", "build.sh"), [path.dirname(jar)], { timeout: 120_000 });
    return undefined;
  } catch (error) {
    return `the Java guard (${jar}) could not be built: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
  }
}
