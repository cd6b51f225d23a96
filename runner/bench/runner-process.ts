import { spawn } from "node:child_process";
import { once } from "node:events";
import type { CompiledBench } from "./compile";
import type { TraceSink } from "./log-events";

export interface RunnerProcess {
  pid: number | undefined;
  /** SIGTERM, as ECS stops a task; resolves when the process has exited. */
  stop(): Promise<void>;
}

/**
 * The runner in a process of its own, started through its real entry point with only environment variables,
 * as on a Fargate task. Its pino lines (stdout) feed the sink. In the bench's own process it would share one
 * event loop with fauxqs and the bench driver, which production never does.
 */
export function startRunnerProcess(
  compiled: CompiledBench,
  env: Record<string, string>,
  cwd: string,
  sink: TraceSink,
): RunnerProcess {
  // e.g. BENCH_RUNNER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": where the runner's own CPU time goes.
  const nodeArgs = process.env.BENCH_RUNNER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, compiled.runner], {
    // cwd without a .env: dotenv must not add anything to what the bench passes.
    cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NODE_PATH: compiled.nodePath,
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout.pipe(sink);
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const [code, signal] = await exited;
      if (code !== 0) throw new Error(`the runner process ended with ${signal ?? `status ${code}`}`);
    },
  };
}
