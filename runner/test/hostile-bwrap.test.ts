import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processesOf } from "../src/sandbox/identity-processes";
import { UIDS_PER_SLOT } from "../src/sandbox/sandbox";
import { RUNNER_DIR, SAMPLES_DIR, startHarness, type Harness } from "./helpers/harness";

/**
 * RUNNER_SANDBOX=bwrap (hosts with user namespaces, not Fargate): on top of the per-slot uid, the gaps the
 * uid mode leaves open are closed. Needs root and bubblewrap (CI installs it).
 */

const NODE_PIT = "javascript-node-dummy-dev";
const ATTACK_PIT = "attack-sh";
const tag = randomBytes(4).toString("hex");

let h: Harness;
let scratch: string;
let pitsDir: string;
let uids: number[];

beforeAll(async () => {
  h = await startHarness();
  scratch = await mkdtemp(path.join(os.tmpdir(), "hostile-bwrap-"));
  pitsDir = await mkdtemp(path.join(os.tmpdir(), "hostile-bwrap-pits-"));
  // The one-test report after the attack keeps every run a grade: these tests check reach, not grading.
  const report = `chmod u+rwx "$PWD" 2>/dev/null; mkdir -p reports && echo '<testsuite><testcase name="attack-ran"/></testsuite>' > reports/attack.xml`;
  const pit = { language: "shell", buildTool: "sh", testCommand: `sh attack.sh; ${report}`, maxTimeoutMs: 5000 };
  await writeFile(path.join(pitsDir, `${ATTACK_PIT}.json`), JSON.stringify(pit));
  await cp(path.join(RUNNER_DIR, "pits", `${NODE_PIT}.json`), path.join(pitsDir, `${NODE_PIT}.json`));
  await cp(path.join(RUNNER_DIR, "pits", NODE_PIT), path.join(pitsDir, NODE_PIT), { recursive: true });
  const overrides = { RUNNER_SANDBOX: "bwrap", RUNNER_CONCURRENCY: "2", RUNNER_PITS_DIR: pitsDir, RUNNER_KILL_GRACE_MS: "500" };
  const base = h.config(overrides).sandbox.uidBase;
  uids = Array.from({ length: 2 * UIDS_PER_SLOT }, (_, i) => base + i);
  h.startRunner(overrides);
});

afterAll(async () => {
  await h?.stop();
  for (const dir of [scratch, pitsDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

async function attack(script: string) {
  const dir = await mkdtemp(path.join(scratch, "sub-"));
  await writeFile(path.join(dir, "attack.sh"), script);
  const { submissionId } = await h.api.submit({ pitId: ATTACK_PIT, source: dir });
  const row = await h.api.waitForFinal(submissionId);
  return { row, log: row.logsS3Key ? await h.readLog(row.logsS3Key) : "" };
}

describe("the bubblewrap sandbox", () => {
  it("grades a normal submission", async () => {
    const { submissionId } = await h.api.submit({ pitId: NODE_PIT, source: path.join(SAMPLES_DIR, NODE_PIT, "passing") });
    const row = await h.api.waitForFinal(submissionId);
    expect(row.status).toBe("DONE");
    expect(Number(row.score)).toBe(100);
  });

  it("closes the network, the process list and the shared /tmp, still as an unprivileged uid", async () => {
    const endpoint = h.stack.env.AWS_ENDPOINT_URL;
    expect(endpoint).toMatch(/^http:\/\/(127\.0\.0\.1|localhost)/);
    const { row, log } = await attack(
      [
        "id -u",
        `node -e "require('http').get(process.argv[1], (r) => console.log('NET-OPEN', r.statusCode)).on('error', (e) => console.log('NET-CLOSED', e.code))" ${endpoint}`,
        'echo "PIDS $(ls /proc | grep -c "^[0-9]")"',
        `echo pwned > /tmp/bwrap-escape-${tag}`,
        `ls ${h.dirs.work}`,
        "grep -E '^Max processes' /proc/self/limits",
      ].join("\n"),
    );
    expect(row.status).toBe("DONE");
    expect(uids).toContain(Number(/^(\d+)$/m.exec(log)?.[1]));
    expect(log).toContain("NET-CLOSED");
    expect(log).not.toContain("NET-OPEN");
    expect(Number(/PIDS (\d+)/.exec(log)?.[1])).toBeLessThan(10);
    expect(log).toMatch(/^Max processes\s+256\s+256/m);
    expect(existsSync(`/tmp/bwrap-escape-${tag}`)).toBe(false);
    for (const uid of uids) expect(await processesOf(uid)).toEqual([]);
    expect(await readdir(h.dirs.work)).toEqual([]);
  });
});
