import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import { commandArgv, resolveMode, type HostTools } from "./host-tools";
import { launcherArgs, launcherPath, probeLauncher } from "./launcher";
import { Sandbox, SandboxUnavailableError } from "./sandbox";
import { DEFAULT_SANDBOX, type ResourceLimits } from "./sandbox-settings";

const LIMITS: ResourceLimits = { cpuSeconds: 30, memoryBytes: 3 * 1024 ** 3, fileBytes: 5 * 1024 ** 2, processes: 64, openFiles: 100 };
const BUILT = launcherPath(DEFAULT_SANDBOX.guardsDir);
const built = existsSync(BUILT);
const withLauncher: HostTools = { canSwitchUsers: true, prlimit: "/usr/bin/prlimit", setpriv: "/usr/bin/setpriv", launcher: { path: "/g/runner-launcher", scoped: true } };
const shape = { mode: "uid" as const, limits: LIMITS, perRunUid: true, network: "deny" as const };

describe("commandArgv", () => {
  it("runs the command with one exec before the shell: the launcher, no setpriv, prlimit or ulimit", () => {
    const argv = commandArgv(withLauncher, shape, "npm test");
    expect(argv).toEqual([...launcherArgs("/g/runner-launcher", LIMITS, true, "deny"), "/bin/sh", "-c", "npm test"]);
    expect(argv).toContain("--nproc=64");
    expect(argv).toContain("--oom-score-adj=1000");
    expect(argv.join(" ")).not.toMatch(/setpriv|prlimit|ulimit/);
  });

  it("passes the PIT's policy and leaves RLIMIT_NPROC off without a uid of the run's own", () => {
    const argv = commandArgv(withLauncher, { ...shape, perRunUid: false, network: "allow" }, "true");
    expect(argv).toContain("--network=allow");
    expect(argv.some((a) => a.startsWith("--nproc"))).toBe(false);
  });

  it("keeps bwrap's own namespaces and runs the launcher inside them", () => {
    const tools = { ...withLauncher, bwrap: "/usr/bin/bwrap" };
    const argv = commandArgv(tools, { ...shape, mode: "bwrap", bwrap: { workspace: "/w", writable: [] } }, "true");
    expect(argv.indexOf("/usr/bin/bwrap")).toBeGreaterThan(argv.indexOf("/usr/bin/prlimit"));
    expect(argv.indexOf("/g/runner-launcher")).toBeGreaterThan(argv.indexOf("/usr/bin/bwrap"));
  });

  it("falls back to setpriv and the shell's ulimit without a launcher", () => {
    const argv = commandArgv({ canSwitchUsers: true, setpriv: "/usr/bin/setpriv", shellLimits: true }, shape, "true");
    expect(argv.slice(0, 3)).toEqual(["/usr/bin/setpriv", "--no-new-privs", "--"]);
    expect(argv.at(-1)).toMatch(/ulimit -p 64/);
  });
});

describe("RUNNER_SANDBOX_NETWORK", () => {
  const env = { AWS_REGION: "r", AWS_SQS_QUEUE_URL: "http://q.local/1/q", AWS_S3_BUCKET: "b", DATABASE_URL: "postgres://u@h/d" };

  it("defaults to deny, takes allow, refuses anything else, and carries the guards folder to the sandbox", () => {
    expect(loadConfig(env).sandbox).toMatchObject({ network: "deny", guardsDir: loadConfig(env).guardsDir });
    expect(loadConfig({ ...env, RUNNER_SANDBOX_NETWORK: "allow" }).sandbox.network).toBe("allow");
    expect(() => loadConfig({ ...env, RUNNER_SANDBOX_NETWORK: "open" })).toThrow(/RUNNER_SANDBOX_NETWORK/);
  });
});

describe("resolveMode without a launcher", () => {
  const noLauncher: HostTools = { canSwitchUsers: true, prlimit: "/usr/bin/prlimit", launcherProblem: "/g/runner-launcher is missing" };

  it("refuses uid and bwrap modes and says why", () => {
    for (const mode of ["uid", "bwrap"] as const) {
      expect(() => resolveMode({ ...DEFAULT_SANDBOX, mode }, noLauncher)).toThrow(SandboxUnavailableError);
      expect(() => resolveMode({ ...DEFAULT_SANDBOX, mode }, noLauncher)).toThrow(/launcher.*missing/);
    }
  });

  it("falls back in auto mode with a sandbox-weak warning", () => {
    const warnings: unknown[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    expect(Sandbox.create({ ...DEFAULT_SANDBOX, mode: "auto" }, 1, log, noLauncher).mode).toBe(process.platform === "linux" ? "uid" : "none");
    expect(warnings).toContainEqual(expect.objectContaining({ event: "sandbox-weak", launcher: "/g/runner-launcher is missing" }));
  });
});

describe.runIf(built)("the built launcher", () => {
  it("passes its startup probe: AF_INET refused with EACCES after the exec, AF_UNIX allowed", () => {
    expect(probeLauncher(BUILT, LIMITS, 10_000)).toMatchObject({ ok: true, path: BUILT });
  });

  it("sets the limits soft and hard, no_new_privs, the filter and oom_score_adj, then runs the command", () => {
    const argv = [...launcherArgs(BUILT, LIMITS, false, "deny"), "/bin/sh", "-c", "cat /proc/self/limits /proc/self/status /proc/self/oom_score_adj"];
    const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Max cpu time\s+30\s+30/m);
    expect(run.stdout).toMatch(/^Max open files\s+100\s+100/m);
    expect(run.stdout).toMatch(/^Max address space\s+3221225472\s+3221225472/m);
    expect(run.stdout).toMatch(/^NoNewPrivs:\s+1/m);
    expect(run.stdout).toMatch(/^Seccomp:\s+2/m);
    expect(run.stdout).toMatch(/^1000$/m);
  });

  it("fails closed with 125, before the command runs, when a step fails", () => {
    for (const bad of [["--nofile=999999999"], ["--cpu=-1"], ["--frobnicate"], []]) {
      const run = spawnSync(BUILT, [...bad, "--", ...(bad.length ? ["/bin/echo", "RAN"] : [])], { encoding: "utf8" });
      expect(run.status, bad.join(" ")).toBe(125);
      expect(run.stdout).not.toContain("RAN");
      expect(run.stderr).toMatch(/^runner-launcher: .*the command was not run/);
    }
  });

  it("is refused when missing or when others could replace it", () => {
    expect(probeLauncher("/nonexistent/runner-launcher", LIMITS, 10_000)).toMatchObject({ ok: false, problem: expect.stringMatching(/missing/) });
    const dir = mkdtempSync(path.join(os.tmpdir(), "launcher-"));
    try {
      const copy = path.join(dir, "runner-launcher");
      copyFileSync(BUILT, copy);
      chmodSync(copy, 0o777);
      expect(probeLauncher(copy, LIMITS, 10_000)).toMatchObject({ ok: false, problem: expect.stringMatching(/writable by others/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
