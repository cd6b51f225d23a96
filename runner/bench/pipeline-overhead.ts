/**
 * End-to-end grading time of the passing Node sample with RUNNER_SANDBOX=none (the runner as before: its own
 * user, no limits wrapper, no kill by uid) and RUNNER_SANDBOX=uid, in alternating rounds on the real local stack.
 * A submission's time is the sum of its pipeline stages (claim ... record) from the runner's own log, so queue
 * polling latency does not blur the comparison.
 *
 *   npx ts-node bench/pipeline-overhead.ts [submissionsPerRound] [rounds]     (as root)
 */
import path from "node:path";
import { SAMPLES_DIR, startHarness } from "../test/helpers/harness";

const PIT = "javascript-node-dummy-dev";
const perRound = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 2);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function round(mode: "none" | "uid"): Promise<number[]> {
  const h = await startHarness();
  try {
    const { logs } = h.startRunner({ RUNNER_SANDBOX: mode, RUNNER_CONCURRENCY: "1", RUNNER_LOG_LEVEL: "info" });
    const totals: number[] = [];
    for (let i = 0; i < perRound + 1; i += 1) {
      const { submissionId } = await h.api.submit({ pitId: PIT, source: path.join(SAMPLES_DIR, PIT, "passing") });
      const row = await h.api.waitForFinal(submissionId);
      if (row.status !== "DONE") throw new Error(`${mode}: submission ended ${row.status}`);
      await new Promise((r) => setTimeout(r, 50));
      const stages = logs.lines.filter((l) => l.submissionId === submissionId && l.event === "stage");
      if (i > 0) totals.push(stages.reduce((sum, l) => sum + Number(l.durationMs), 0)); // first one warms up
    }
    return totals;
  } finally {
    await h.stop();
  }
}

async function main(): Promise<void> {
  const all: Record<"none" | "uid", number[]> = { none: [], uid: [] };
  for (let r = 0; r < rounds; r += 1) {
    for (const mode of r % 2 === 0 ? (["none", "uid"] as const) : (["uid", "none"] as const)) {
      all[mode].push(...(await round(mode)));
    }
  }
  const none = median(all.none);
  const uid = median(all.uid);
  console.log(
    JSON.stringify({
      submissionsPerMode: all.none.length,
      noneMedianMs: Math.round(none),
      uidMedianMs: Math.round(uid),
      ratio: Math.round((uid / none) * 1000) / 1000,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
