import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UIDS_PER_SLOT } from "../src/sandbox/sandbox";
import { processesOf } from "../src/sandbox/identity-processes";
import { RUNNER_DIR, SAMPLES_DIR, startHarness, type Harness, type LogSink } from "./helpers/harness";
import { javaAttack, nodeAttack, pythonAttack, type Targets } from "./helpers/network-attacks";

/**
 * Student code reaching for the network and for other processes, graded by a real runner that switches to
 * per-slot uids (run as root, as CI does). Only 127.0.0.1 listeners started here (this file's own, PostgreSQL,
 * fauxqs) are ever connected to; the task-metadata address and DNS are tried only after socket(AF_INET) was
 * already refused in the same process, so even a broken defence sends nothing off this machine.
 */

const SHELL_PIT = "net-sh";
const ALLOW_PIT = "net-allow";
const SAMPLE_PITS = ["javascript-node-dummy-dev", "python-pytest-dummy-dev", "java-maven-dummy-dev"];
const tag = randomBytes(4).toString("hex");

let h: Harness;
let logs: LogSink;
let scratch: string;
let pitsDir: string;
let uids: number[];
let targets: Targets;
let listener: net.Server;
let accepted = 0;

const portOf = (url: string) => Number(new URL(url).port);

beforeAll(async () => {
  h = await startHarness();
  listener = net.createServer((socket) => {
    accepted += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  targets = {
    listener: (listener.address() as net.AddressInfo).port,
    postgres: portOf(h.stack.env.DATABASE_URL ?? ""),
    fauxqs: portOf(h.stack.env.AWS_ENDPOINT_URL ?? ""),
  };
  scratch = await mkdtemp(path.join(os.tmpdir(), "hostile-network-"));
  pitsDir = await mkdtemp(path.join(os.tmpdir(), "hostile-network-pits-"));
  // The attack's output is what is checked; the template's report only makes the run gradable (DONE).
  const pit = { language: "shell", buildTool: "sh", testCommand: "sh attack.sh; sh report.sh", reportPaths: ["report.xml"], maxTimeoutMs: 30_000 };
  const report = `echo '<testsuite name="net"><testcase classname="net" name="ran"/></testsuite>' > report.xml\n`;
  for (const [id, config] of [[SHELL_PIT, pit], [ALLOW_PIT, { ...pit, network: "allow" }]] as const) {
    await writeFile(path.join(pitsDir, `${id}.json`), JSON.stringify(config));
    await mkdir(path.join(pitsDir, id));
    await writeFile(path.join(pitsDir, id, "report.sh"), report);
  }
  for (const id of SAMPLE_PITS) {
    await cp(path.join(RUNNER_DIR, "pits", `${id}.json`), path.join(pitsDir, `${id}.json`));
    await cp(path.join(RUNNER_DIR, "pits", id), path.join(pitsDir, id), { recursive: true });
  }
  const overrides = { RUNNER_SANDBOX: "uid", RUNNER_CONCURRENCY: "2", RUNNER_PITS_DIR: pitsDir, RUNNER_KILL_GRACE_MS: "500" };
  const base = h.config(overrides).sandbox.uidBase;
  uids = Array.from({ length: 2 * UIDS_PER_SLOT }, (_, i) => base + i);
  logs = h.startRunner(overrides).logs;
});

afterAll(async () => {
  await h?.stop();
  await new Promise((resolve) => listener?.close(resolve));
  for (const dir of [scratch, pitsDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

/** Grades `files` (attack.sh runs them) with the given PIT and returns the run's log from S3. */
async function run(files: Record<string, string>, pitId = SHELL_PIT, othersRunning = false): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, "sub-"));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  const { submissionId } = await h.api.submit({ pitId, source: dir });
  const row = await h.api.waitForFinal(submissionId, 60_000);
  expect(row.status, JSON.stringify(row.feedback)).toBe("DONE");
  const log = row.logsS3Key ? await h.readLog(row.logsS3Key) : "";
  if (!othersRunning) for (const uid of uids) expect(await processesOf(uid)).toEqual([]);
  // SHOW_ATTACK_LOG=1 prints what each attack saw (to compare with the old code path by hand).
  if (process.env.SHOW_ATTACK_LOG) console.error(log);
  return log;
}

/** Every `<prefix> <what> <result>` line of the log, as what -> result. */
function results(log: string, prefix: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of log.matchAll(new RegExp(`^${prefix} (\\S+) (.+)$`, "gm"))) found.set(match[1]!, match[2]!.trim());
  return found;
}

describe("student code and the network", () => {
  it("runs under the launcher with the network denied", () => {
    expect(logs.events("sandbox")[0]).toMatchObject({ mode: "uid", limitsBy: "launcher", network: "deny" });
  });

  it("Python: no TCP to PostgreSQL, fauxqs, a local listener or the task metadata, no DNS, no raw, packet or netlink socket, no ptrace", async () => {
    const log = await run({ "attack.sh": "python3 attack.py\n", "attack.py": pythonAttack(targets, tag) });
    const seen = results(log, "PY");
    for (const target of ["listener", "postgres", "fauxqs", "listener6", "metadata"]) expect(seen.get(`tcp-${target}`), target).toBe("EACCES");
    // A DNS query needs a UDP or TCP socket: refused before a packet is built.
    expect(seen.get("dns")).toMatch(/^failed/);
    for (const family of ["inet-raw", "inet-ping", "inet6-udp", "packet", "netlink", "vsock", "alg"]) expect(seen.get(`sock-${family}`), family).toBe("EACCES");
    expect(seen.get("unix")).toBe("ok");
    expect(seen.get("socketpair")).toBe("ok");
    expect(seen.get("ptrace-child")).toBe("EPERM");
    expect(seen.get("ptrace-sibling")).toBe("EPERM");
    expect(seen.get("process_vm_readv")).toBe("EPERM");
    for (const call of ["unshare-user", "keyctl", "bpf", "perf_event_open", "mount"]) expect(seen.get(call), call).toBe("EPERM");
    expect(seen.get("io_uring_setup")).toBe("ENOSYS");
    if (os.arch() === "x64") expect(seen.get("x32-socket")).toBe("killed SIGSYS");
    expect(accepted).toBe(0);
  });

  it("Node: no TCP through net or http, no DNS through getaddrinfo or c-ares", async () => {
    const log = await run({ "attack.sh": "node attack.js\n", "attack.js": nodeAttack(targets, tag) });
    const seen = results(log, "JS");
    for (const target of ["listener", "postgres", "fauxqs", "metadata"]) expect(seen.get(`tcp-${target}`), target).toBe("EACCES");
    expect(seen.get("http-fauxqs")).toBe("EACCES");
    expect(seen.get("dns-lookup")).toMatch(/^failed/);
    expect(seen.get("dns-resolve")).toMatch(/^failed/);
    expect(seen.get("udp")).toBe("EACCES");
    expect(accepted).toBe(0);
  });

  it("Java: no java.net.Socket connection, no DNS", async () => {
    const log = await run({ "attack.sh": "java Attack.java\n", "Attack.java": javaAttack(targets, tag) });
    const seen = results(log, "JAVA");
    for (const target of ["listener", "postgres", "fauxqs", "metadata"]) expect(seen.get(`tcp-${target}`), target).toMatch(/Permission denied/);
    expect(seen.get("dns")).toMatch(/^failed/);
    expect(accepted).toBe(0);
  });

  it("a PIT with network \"allow\" runs a server on localhost and talks to it", async () => {
    const script = [
      "const http = require('node:http');",
      "const server = http.createServer((_req, res) => res.end('pong'));",
      "server.listen(0, '127.0.0.1', () => {",
      "  http.get(`http://127.0.0.1:${server.address().port}/`, (res) => {",
      "    let body = ''; res.on('data', (c) => (body += c));",
      "    res.on('end', () => { console.log('SERVER ' + body); server.close(); });",
      "  });",
      "}).on('error', (e) => console.log('SERVER ' + e.code));",
    ].join("\n");
    const files = { "attack.sh": "node server.js\n", "server.js": script };
    expect(await run(files, ALLOW_PIT)).toMatch(/^SERVER pong$/m);
    // The same exercise under the default policy cannot even listen.
    expect(await run(files)).toMatch(/^SERVER EACCES$/m);
  });

  it("cannot reach another slot's abstract AF_UNIX socket where Landlock scopes them (the gap documented otherwise)", async () => {
    const name = `\\0hostile-abstract-${tag}`;
    const listen = [
      "import socket, time",
      "s = socket.socket(socket.AF_UNIX); s.bind(NAME); s.listen(4)",
      // Its own processes still reach it: the scope is the run, not the process.
      "c = socket.socket(socket.AF_UNIX); c.connect(NAME); print('OWN connected', flush=True)",
      "open('started', 'w').close(); time.sleep(4)",
    ].join("\n");
    const victim = (async () => {
      const dir = await mkdtemp(path.join(scratch, "sub-"));
      await writeFile(path.join(dir, "attack.sh"), "python3 listen.py\n");
      await writeFile(path.join(dir, "listen.py"), `NAME = "${name}"\n${listen}\n`);
      return h.api.submit({ pitId: SHELL_PIT, source: dir });
    })();
    const { submissionId } = await victim;
    const started = path.join(h.dirs.work, submissionId, "started");
    for (let i = 0; i < 200 && !existsSync(started); i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(started)).toBe(true);
    const connect = [
      "import errno, socket",
      "c = socket.socket(socket.AF_UNIX)",
      "try: c.connect(NAME); print('OTHER connected')",
      "except OSError as e: print('OTHER', errno.errorcode.get(e.errno))",
    ].join("\n");
    const attacker = await run({ "attack.sh": "python3 connect.py\n", "connect.py": `NAME = "${name}"\n${connect}\n` }, SHELL_PIT, true);
    const victimRow = await h.api.waitForFinal(submissionId, 60_000);
    expect(victimRow.logsS3Key && (await h.readLog(victimRow.logsS3Key))).toMatch(/^OWN connected$/m);
    const scoped = logs.events("sandbox")[0]?.abstractUnixScoped === true;
    expect(attacker).toMatch(scoped ? /^OTHER EPERM$/m : /^OTHER connected$/m);
  });

  it.each(SAMPLE_PITS)("still grades the %s passing sample 100", async (pitId) => {
    const { submissionId } = await h.api.submit({ pitId, source: path.join(SAMPLES_DIR, pitId, "passing") });
    const row = await h.api.waitForFinal(submissionId, 120_000);
    expect(row.status).toBe("DONE");
    expect(Number(row.score)).toBe(100);
  }, 130_000);
});
