import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { processesOf } from "../src/sandbox/identity-processes";
import { UIDS_PER_SLOT } from "../src/sandbox/sandbox";
import type { Runner } from "../src/runner";
import { FAKE_DB_PASSWORD, FAKE_SECRETS } from "./helpers/global-setup";
import { RUNNER_DIR, SAMPLES_DIR, startHarness, type Harness } from "./helpers/harness";

/**
 * Submissions that attack the runner from inside the test command, graded by a real runner that switches
 * to per-slot uids (this file must run as root, as CI does). Each asserts the outcome and that the attack failed.
 */

const NODE_PIT = "javascript-node-dummy-dev";
const ATTACK_PIT = "attack-sh";
const TIMEOUT_MS = 5000;
const tag = randomBytes(4).toString("hex");
const HIDDEN_SECRET = `hidden-test-secret-${tag}`;
const DOTENV_SECRET = `dotenv-secret-${tag}`;
const SECRETS = [FAKE_SECRETS.AWS_SECRET_ACCESS_KEY, FAKE_DB_PASSWORD, HIDDEN_SECRET, DOTENV_SECRET];
const OVERRIDES = {
  RUNNER_CONCURRENCY: "2",
  RUNNER_SANDBOX: "uid",
  RUNNER_SANDBOX_MAX_PROCESSES: "64",
  RUNNER_SANDBOX_MAX_FILE_BYTES: String(1024 * 1024),
  RUNNER_SANDBOX_MAX_MEMORY_BYTES: String(1024 * 1024 * 1024),
  RUNNER_SANDBOX_MAX_CPU_SECONDS: "20",
  RUNNER_MAX_LOG_BYTES: String(64 * 1024),
  RUNNER_KILL_GRACE_MS: "500",
};

let h: Harness;
let scratch: string;
let pitsDir: string;
let appDir: string;
let uids: number[];

let runner: Runner;

beforeAll(async () => {
  h = await startHarness();
  scratch = await mkdtemp(path.join(os.tmpdir(), "hostile-runs-"));
  // mkdtemp folders are 0700, as the image's app and PIT folders must be: readable by the runner only.
  pitsDir = await mkdtemp(path.join(os.tmpdir(), "hostile-pits-"));
  appDir = await mkdtemp(path.join(os.tmpdir(), "hostile-app-"));
  await writeFile(path.join(appDir, ".env"), `AWS_SECRET_ACCESS_KEY=${DOTENV_SECRET}\n`);
  // After the attack, the command writes a one-test report, so every run that ends is a grade (never a PIT
  // without results); these tests check what the attack could reach, not how it is graded.
  const report = `chmod u+rwx "$PWD" 2>/dev/null; mkdir -p reports && echo '<testsuite><testcase name="attack-ran"/></testsuite>' > reports/attack.xml`;
  const pit = { language: "shell", buildTool: "sh", testCommand: `sh attack.sh; ${report}`, maxTimeoutMs: TIMEOUT_MS };
  await writeFile(path.join(pitsDir, `${ATTACK_PIT}.json`), JSON.stringify(pit));
  await cp(path.join(RUNNER_DIR, "pits", `${NODE_PIT}.json`), path.join(pitsDir, `${NODE_PIT}.json`));
  await cp(path.join(RUNNER_DIR, "pits", NODE_PIT), path.join(pitsDir, NODE_PIT), { recursive: true });
  await mkdir(path.join(pitsDir, "other-pit"));
  await writeFile(path.join(pitsDir, "other-pit", "hidden.txt"), HIDDEN_SECRET);
  const overrides = { ...OVERRIDES, RUNNER_PITS_DIR: pitsDir };
  const base = h.config(overrides).sandbox.uidBase;
  // Two slots, each with its reserve uids (a uid holding unreaped zombies is skipped).
  uids = Array.from({ length: 2 * UIDS_PER_SLOT }, (_, i) => base + i);
  runner = h.startRunner(overrides).runner;
});

afterAll(async () => {
  await h?.stop();
  for (const dir of [scratch, pitsDir, appDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

/** The row is written while the workspace is still being removed: wait until the submission has fully left. */
async function idle(): Promise<void> {
  for (let i = 0; i < 200 && runner.consumer.active > 0; i += 1) await new Promise((r) => setTimeout(r, 50));
}

afterEach(async () => {
  await idle();
  // Whatever the attack did: nothing of it runs any more, and its workspace and temp folder are gone.
  for (const uid of uids) expect(await processesOf(uid)).toEqual([]);
  for (const dir of [h.dirs.work, h.dirs.tmp]) if (existsSync(dir)) expect(await readdir(dir)).toEqual([]);
});

async function submitScript(script: string) {
  const dir = await mkdtemp(path.join(scratch, "sub-"));
  await writeFile(path.join(dir, "attack.sh"), script);
  return h.api.submit({ pitId: ATTACK_PIT, source: dir });
}

async function finalWithLog(submissionId: string) {
  const row = await h.api.waitForFinal(submissionId);
  const log = row.logsS3Key ? await h.readLog(row.logsS3Key) : "";
  const feedback = JSON.stringify(row.feedback);
  for (const secret of SECRETS) {
    expect(log).not.toContain(secret);
    expect(feedback).not.toContain(secret);
  }
  return { row, log };
}

async function attack(script: string) {
  const { submissionId } = await submitScript(script);
  return finalWithLog(submissionId);
}

describe("the sandbox, attacked from a submission", () => {
  it("holds real secrets in the runner's own environment (precondition for the theft tests)", () => {
    const environ = readFileSync("/proc/self/environ", "utf8");
    expect(environ).toContain(FAKE_SECRETS.AWS_SECRET_ACCESS_KEY);
    expect(environ).toContain(FAKE_DB_PASSWORD);
    expect(readFileSync(path.join(appDir, ".env"), "utf8")).toContain(DOTENV_SECRET);
  });

  it("runs the test command as an unprivileged per-slot uid, with limits and an allow-listed environment", async () => {
    const { row, log } = await attack("id -u; cat /proc/self/limits; grep NoNewPrivs /proc/self/status; echo ENV-START; env\n");
    expect(row.status).toBe("DONE");
    const uid = Number(/^(\d+)$/m.exec(log)?.[1]);
    expect(uid).toBeGreaterThanOrEqual(1000);
    expect(uids).toContain(uid);
    expect(log).toMatch(/^Max processes\s+64\s+64/m);
    expect(log).toMatch(/^Max file size\s+1048576\s+1048576/m);
    expect(log).toMatch(/^Max address space\s+1073741824\s+1073741824/m);
    expect(log).toMatch(/^Max core file size\s+0\s+0/m);
    expect(log).toMatch(/^Max cpu time\s+20\s+20/m);
    expect(log).toMatch(/^NoNewPrivs:\s+1/m);
    const names = log
      .slice(log.indexOf("ENV-START"))
      .split("\n")
      .slice(1)
      .map((line) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1])
      .filter((name) => name !== undefined);
    expect(names).toContain("HOME");
    expect(names.every((n) => ["PATH", "HOME", "LANG", "TMPDIR", "PWD", "SHLVL", "OLDPWD"].includes(n))).toBe(true);
  });

  it("cannot read the runner's environment, its .env file or the PIT folder's hidden tests", async () => {
    const { row, log } = await attack(
      [
        // Walk up from the shell to the runner, as an attacker would.
        'RUNNER=$PPID; while [ "$(stat -c %u /proc/$RUNNER)" != 0 ]; do RUNNER=$(cut -d" " -f4 /proc/$RUNNER/stat); done',
        'echo "runner=$RUNNER"',
        'tr "\\0" "\\n" < /proc/$RUNNER/environ',
        'tr "\\0" "\\n" < /proc/$PPID/environ',
        'tr "\\0" "\\n" < /proc/1/environ',
        `cat ${appDir}/.env`,
        `cat ${pitsDir}/other-pit/hidden.txt`,
        `ls ${pitsDir}`,
        `cat ${pitsDir}/${ATTACK_PIT}.json`,
        "env",
      ].join("\n"),
    );
    expect(row.status).toBe("DONE");
    // The target really is the runner, so the denial below is the sandbox at work, not a wrong pid.
    expect(log).toContain(`runner=${process.pid}`);
    expect(log.match(/Permission denied/g)?.length).toBeGreaterThanOrEqual(6);
  });

  it("cannot read or write another submission's workspace while both run", async () => {
    const victimSecret = `victim-${tag}`;
    const victim = await submitScript(`echo ${victimSecret} > marker; touch started; sleep 3; ls -a\n`);
    const started = path.join(h.dirs.work, victim.submissionId, "started");
    for (let i = 0; i < 100 && !existsSync(started); i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(started)).toBe(true);

    const victimWs = path.join(h.dirs.work, victim.submissionId);
    const attacker = await attack(
      [
        `ls ${h.dirs.work}`,
        `ls ${h.dirs.tmp}`,
        `cat ${victimWs}/marker`,
        `echo pwned > ${victimWs}/pwned-${tag}`,
        `head -c 100 ${h.dirs.tmp}/${victim.submissionId}/submission.zip`,
        `ls ${h.dirs.tmp}/${victim.submissionId}/home`,
      ].join("\n"),
    );
    const { log: victimLog } = await finalWithLog(victim.submissionId);
    expect(attacker.log).not.toContain(victimSecret);
    expect(attacker.log.match(/Permission denied/g)?.length).toBeGreaterThanOrEqual(6);
    expect(victimLog).toContain("marker");
    expect(victimLog).not.toContain(`pwned-${tag}`);
  });

  it("leaves no file outside its workspace", async () => {
    const targets = [
      path.join(h.dirs.work, `escape-${tag}`),
      path.join(path.dirname(h.dirs.work), `escape-${tag}`),
      path.join(pitsDir, `escape-${tag}`),
      path.join(RUNNER_DIR, `escape-${tag}`),
      path.join(os.tmpdir(), `escape-${tag}`),
      `/var/tmp/escape-${tag}`,
      `/dev/shm/escape-${tag}`,
      `/tmp/escape-dir-${tag}`,
    ];
    const { row } = await attack(
      `${targets.map((t) => `echo pwned > ${t}`).join("\n")}\nmkdir -p /tmp/escape-dir-${tag}/deep && echo x > /tmp/escape-dir-${tag}/deep/f\n`,
    );
    expect(row.status).toBe("DONE");
    for (const target of targets) expect(existsSync(target), target).toBe(false);
  });

  it("bounds a fork bomb by the per-uid process limit and kills all of it", async () => {
    // Refuses to start unless the limit is really in place for a non-root uid, so it can never run unbounded.
    const { submissionId } = await submitScript(
      [
        'if [ "$(id -u)" -lt 1000 ] || ! grep -Eq "^Max processes +64 +64" /proc/self/limits; then echo UNSAFE; exit 99; fi',
        // perl's fork returns undef at the limit instead of dying, so the bomb keeps pressing until the timeout.
        "perl -e 'while (1) { fork }'",
      ].join("\n"),
    );
    let peak = 0;
    let row = await h.api.row(submissionId);
    while (row?.status !== "DONE" && row?.status !== "ERROR") {
      for (const uid of uids) peak = Math.max(peak, (await processesOf(uid)).length);
      row = await h.api.row(submissionId);
    }
    const { log } = await finalWithLog(submissionId);
    expect(log).not.toContain("UNSAFE");
    expect(row.status).toBe("DONE");
    expect(peak).toBeGreaterThan(10);
    expect(peak).toBeLessThanOrEqual(64);
  });

  it("kills processes that escaped with setsid, and does not wait for them", async () => {
    const { row } = await attack(
      [
        "setsid sh -c 'sleep 300' > /dev/null 2>&1 < /dev/null &",
        "setsid sleep 301 &",
        "(trap '' TERM HUP; exec sleep 302) &",
        "nohup sleep 303 > /dev/null 2>&1 &",
        "echo started",
      ].join("\n"),
    );
    expect(row.status).toBe("DONE");
    expect(Number(row.feedback?.durationMs)).toBeLessThan(2000);
  });

  it("kills a process that ignores SIGTERM at the timeout, and one that escaped the group", async () => {
    const started = Date.now();
    const { row } = await attack(
      `setsid sh -c "trap '' TERM; while :; do sleep 1; done" > /dev/null 2>&1 &\ntrap '' TERM\nwhile :; do :; done\n`,
    );
    expect(row.feedback).toMatchObject({ outcome: "timeout", timedOut: true });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 5000);
  });

  it("caps huge output, keeping its head and tail", async () => {
    const { row, log } = await attack("echo HEAD-MARK\nhead -c 50000000 /dev/zero | tr '\\0' a\necho\necho END-MARK\n");
    expect(row.status).toBe("DONE");
    expect(log.length).toBeLessThan(80 * 1024);
    expect(log).toContain("HEAD-MARK");
    expect(log).toMatch(/output cut by the runner: \d+ bytes omitted/);
    expect(log.trimEnd().endsWith("END-MARK")).toBe(true);
  });

  it("cannot write a file larger than the file size limit", async () => {
    const { log } = await attack('head -c 5000000 /dev/zero > big.bin\necho "size=$(wc -c < big.bin)"\n');
    expect(log).toContain("size=1048576");
  });

  it("cannot allocate past the memory limit", async () => {
    const { row, log } = await attack(
      `node -e 'const a = []; for (;;) a.push(Buffer.alloc(64 * 1024 * 1024, 1))'\necho "exit=$?"\n`,
    );
    expect(row.status).toBe("DONE");
    expect(log).toMatch(/exit=[1-9]/);
    expect(row.feedback?.timedOut).toBe(false);
  });

  it("cannot leave undeletable folders behind", async () => {
    const left = `/tmp/hostile-left-${tag}`;
    const { row } = await attack(
      [
        "mkdir -p locked/inner && echo x > locked/inner/f && chmod 000 locked/inner locked",
        'mkdir -p "$HOME/l/m" && chmod 000 "$HOME/l/m" "$HOME/l"',
        'mkdir -p "$TMPDIR/l" && chmod 000 "$TMPDIR/l"',
        `mkdir -p ${left}/x && chmod 000 ${left}/x ${left}`,
        "chmod 000 .",
      ].join("\n"),
    );
    expect(row.status).toBe("DONE");
    expect(existsSync(left)).toBe(false);
  });

  it("cannot leave folders nested past what a path can name, nor a flood of files in /tmp", async () => {
    // Named to the 255-byte limit: nothing may be added to it to name the pieces removal moves out.
    const deep = `/tmp/hostile-deep-${tag}-`.padEnd(5 + 255, "x");
    // Relative mkdir and chdir nest as deep as the student likes (here paths of over 4200 bytes, past PATH_MAX);
    // the deepest folder is locked too.
    const nest = `const fs = require("fs"); const start = process.cwd();
      for (const root of [".", process.env.HOME, "${deep}"]) {
        process.chdir(start); fs.mkdirSync(root, { recursive: true }); process.chdir(root);
        for (let i = 0; i < 1400; i += 1) { fs.mkdirSync("dd"); process.chdir("dd"); }
        fs.writeFileSync("f", "x"); fs.chmodSync(".", 0);
      }
      for (let i = 0; i < 2000; i += 1) fs.writeFileSync("/tmp/hostile-flood-${tag}-" + i, "");
      console.log("nested");`;
    const { row, log } = await attack(`node -e '${nest}'\n`);
    expect(log).toContain("nested");
    expect(row.status).toBe("DONE");
    await idle();
    expect(existsSync(deep)).toBe(false);
    const left = await readdir("/tmp");
    expect(left.filter((name) => name.includes(`hostile-flood-${tag}`) || name.startsWith(".rm-"))).toEqual([]);
  });

  it("still grades a normal submission after all of that", async () => {
    const { submissionId } = await h.api.submit({ pitId: NODE_PIT, source: path.join(SAMPLES_DIR, NODE_PIT, "passing") });
    const row = await h.api.waitForFinal(submissionId);
    expect(row.status).toBe("DONE");
    expect(Number(row.score)).toBe(100);
  });
});
