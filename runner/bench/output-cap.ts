/**
 * What capping a flood of output costs the runner: 200 MB printed by the test command, read through
 * CappedOutput, against the same command writing to /dev/null.   npx ts-node bench/output-cap.ts
 */
import os from "node:os";
import { runCommand } from "../src/execute/run-command";

async function main(): Promise<void> {
  const base = { cwd: os.tmpdir(), env: { PATH: "/usr/bin:/bin" }, timeoutMs: 60_000, maxOutputBytes: 1024 * 1024, killGraceMs: 500 };
  const produce = "head -c 200000000 /dev/zero | tr '\\0' a";
  for (let i = 0; i < 3; i += 1) {
    const rssBefore = process.memoryUsage().rss;
    const devnull = await runCommand({ ...base, command: `${produce} > /dev/null` });
    const capped = await runCommand({ ...base, command: produce });
    console.log(
      JSON.stringify({
        devNullMs: devnull.durationMs,
        cappedMs: capped.durationMs,
        outputBytes: capped.outputBytes,
        keptChars: capped.output.length,
        rssGrowthMB: Math.round((process.memoryUsage().rss - rssBefore) / 1e6),
      }),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
