import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./helpers/harness";
import {
  ChildRunner,
  finalWrites,
  installFinalWriteAudit,
  isolatedQueue,
  PIT,
  sleep,
  waitUntil,
  writePit,
  writeSubmission,
} from "./helpers/reliability";

// Runners as real processes, killed and stopped the way ECS does it.
const VISIBILITY_SECONDS = 4;
const HEARTBEAT_SECONDS = 3;
let h: Harness;
let base: string;
let source: string;
const pits = { slow: "", twoSeconds: "", fast: "", unique: "" };
/** A test command no other test runs, so the process table tells whether it is still alive. */
const UNIQUE_SLEEP = ["sleep", "17.25"];
const children: ChildRunner[] = [];

beforeAll(async () => {
  h = await startHarness();
  base = path.join(h.dirs.tmp, "..", "fixtures");
  source = await writeSubmission(path.join(base, "submission"));
  // The orphaned `sleep` of a SIGKILLed runner ends by itself soon after the test.
  pits.slow = await writePit(path.join(base, "pits-slow"), "sleep 15");
  pits.twoSeconds = await writePit(path.join(base, "pits-two"), "sleep 2");
  pits.fast = await writePit(path.join(base, "pits-fast"), "true");
  pits.unique = await writePit(path.join(base, "pits-unique"), UNIQUE_SLEEP.join(" "));
  await installFinalWriteAudit(h.clients.pool);
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill("SIGKILL");
    await child.exited;
  }
});
afterAll(() => h?.stop());

let tasks = 0;
async function scenario(name: string) {
  const q = await isolatedQueue(h, name, { visibilityTimeoutSeconds: VISIBILITY_SECONDS, maxReceiveCount: 10 });
  const env = (pitsDir: string, extra: Record<string, string> = {}) => {
    tasks += 1;
    return {
      ...h.stack.env,
      ...q.env,
      RUNNER_WORK_DIR: path.join(base, `task-${tasks}`, "work"),
      RUNNER_TMP_DIR: path.join(base, `task-${tasks}`, "tmp"),
      RUNNER_HEALTH_FILE: path.join(base, `task-${tasks}`, "health"),
      RUNNER_PITS_DIR: pitsDir,
      RUNNER_CONCURRENCY: "1",
      RUNNER_HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS),
      RUNNER_KILL_GRACE_MS: "500",
      ...extra,
    };
  };
  /** A runner process that has the submission's test command running. */
  const childRunning = async (extra: Record<string, string> = {}, pitsDir = pits.slow) => {
    const child = new ChildRunner(env(pitsDir, extra));
    children.push(child);
    await waitUntil("the child runner polling", () => child.events("consumer-started").length > 0, 30_000);
    const { submissionId } = await q.api.submit({ pitId: PIT, source });
    await child.waitForRun(submissionId);
    return { child, submissionId };
  };
  const inProcess = () => h.startRunner(env(pits.fast));
  return { ...q, childRunning, inProcess };
}

const firstReceive = (lines: Record<string, unknown>[], submissionId: string) =>
  lines.find((l) => l.event === "received" && l.submissionId === submissionId);
const at = (line: Record<string, unknown> | undefined) => Date.parse(String(line?.time));

describe("a runner process that dies or is stopped", () => {
  it("kill -9 mid-run: the heartbeat hides the message meanwhile, and a second runner grades it after the kill", async () => {
    const s = await scenario("kill-9");
    const { child, submissionId } = await s.childRunning();
    const b = s.inProcess();
    // Longer than any visibility given at receive (queue: 4 s, runner's request: 2 × 3 s): only the
    // heartbeat keeps the message from runner B.
    await sleep((2 * HEARTBEAT_SECONDS + 2) * 1000);
    expect(firstReceive(b.logs.lines, submissionId)).toBeUndefined();
    expect(child.events("stage", submissionId).some((l) => l.stage === "run")).toBe(false);

    child.kill("SIGKILL");
    const killedAt = (await child.exited).at;
    const row = await s.api.waitForFinal(submissionId, 30_000);
    await b.runner.stop();

    expect(row.status).toBe("DONE");
    const received = firstReceive(b.logs.lines, submissionId);
    expect(received?.receiveCount).toBe(2);
    // Back within one heartbeat extension (2 × interval) of the kill, not lost.
    expect(at(received) - killedAt).toBeLessThan(2 * HEARTBEAT_SECONDS * 1000 + 1500);
    expect((await finalWrites(h.clients.pool, [submissionId])).get(submissionId)).toBe(1);
  });

  it("SIGTERM mid-run: exits 0 after the grace period and the next runner grades the submission at once", async () => {
    const s = await scenario("sigterm");
    const graceMs = 1500;
    const { child, submissionId } = await s.childRunning({ RUNNER_SHUTDOWN_GRACE_MS: String(graceMs) });
    const b = s.inProcess();
    const signalledAt = Date.now();
    child.kill("SIGTERM");
    const exit = await child.exited;
    const row = await s.api.waitForFinal(submissionId, 30_000);
    await b.runner.stop();

    expect(exit.code).toBe(0);
    expect(exit.at - signalledAt).toBeGreaterThanOrEqual(graceMs);
    expect(exit.at - signalledAt).toBeLessThan(graceMs + 5000);
    expect(child.events("grace-expired")).toHaveLength(1);
    const released = child.events("retry-scheduled", submissionId);
    expect(released).toEqual([expect.objectContaining({ delaySeconds: 0 })]);
    expect(child.events("recorded")).toHaveLength(0);

    expect(row.status).toBe("DONE");
    // Visible again at once, well before the heartbeat's extension would have run out.
    expect(at(firstReceive(b.logs.lines, submissionId)) - at(released[0])).toBeLessThan(2 * HEARTBEAT_SECONDS * 1000 - 2000);
    expect((await finalWrites(h.clients.pool, [submissionId])).get(submissionId)).toBe(1);
  });

  it("SIGTERM mid-run: a submission that finishes within the grace period is recorded before exit 0", async () => {
    const s = await scenario("sigterm-finish");
    const { child, submissionId } = await s.childRunning({ RUNNER_SHUTDOWN_GRACE_MS: "20000" }, pits.twoSeconds);
    child.kill("SIGTERM");
    const exit = await child.exited;

    expect(exit.code).toBe(0);
    expect(child.events("recorded", submissionId)).toHaveLength(1);
    expect(child.events("grace-expired")).toHaveLength(0);
    expect((await s.api.row(submissionId))?.status).toBe("DONE");
  });

  it("a second signal exits at once", async () => {
    const s = await scenario("double-signal");
    const { child } = await s.childRunning({ RUNNER_SHUTDOWN_GRACE_MS: "60000" }, pits.unique);
    // The shell has to exec the command first.
    await waitUntil("the test run started", () => processRunning(UNIQUE_SLEEP), 10_000);
    child.kill("SIGTERM");
    await waitUntil("the runner stopping", () => child.events("stopping").length > 0);
    const secondAt = Date.now();
    child.kill("SIGINT");
    const exit = await child.exited;
    expect(exit.at - secondAt).toBeLessThan(3000);
    expect(child.events("forced-exit")).toHaveLength(1);
    // The test run did not outlive the runner.
    await waitUntil("the test run gone", async () => !(await processRunning(UNIQUE_SLEEP)), 3000);
  });
});

async function processRunning(argv: string[]): Promise<boolean> {
  const wanted = argv.join("\0");
  for (const pid of (await readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.replace(/\0$/, "") === wanted) return true;
  }
  return false;
}
