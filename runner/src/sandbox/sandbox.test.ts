import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { bwrapArgs } from "./bwrap";
import { hasSwitchCapabilities } from "./host-support";
import { killAllOf } from "./identity-processes";
import { limitArgs, Sandbox, SandboxUnavailableError } from "./sandbox";
import { DEFAULT_SANDBOX } from "./sandbox-settings";

const silent = pino({ level: "silent" });

describe("hasSwitchCapabilities", () => {
  it("needs CAP_CHOWN, CAP_KILL, CAP_SETGID and CAP_SETUID together", () => {
    expect(hasSwitchCapabilities("Name:\tnode\nCapEff:\t00000000000000e1\n")).toBe(true);
    expect(hasSwitchCapabilities("CapEff:\t000001ffffffffff\n")).toBe(true);
    // CAP_SETUID and CAP_SETGID alone cannot hand the workspace over nor kill the slot's processes.
    expect(hasSwitchCapabilities("CapEff:\t00000000000000c0\n")).toBe(false);
    expect(hasSwitchCapabilities("CapEff:\t0000000000000000\n")).toBe(false);
    expect(hasSwitchCapabilities("no such line")).toBe(false);
  });
});

describe("limitArgs", () => {
  it("sets every limit, and the process count only when the run has a uid of its own", () => {
    const limits = DEFAULT_SANDBOX.limits;
    expect(limitArgs(limits, true)).toEqual([
      `--cpu=${limits.cpuSeconds}`,
      `--as=${limits.memoryBytes}`,
      `--fsize=${limits.fileBytes}`,
      `--nofile=${limits.openFiles}`,
      "--core=0",
      `--nproc=${limits.processes}`,
    ]);
    // Under the runner's own uid RLIMIT_NPROC would count the runner's threads and every other slot.
    expect(limitArgs(limits, false).some((a) => a.startsWith("--nproc"))).toBe(false);
  });
});

describe("Sandbox.create", () => {
  const noSwitch = { canSwitchUsers: false, prlimit: "/usr/bin/prlimit" };

  it("refuses mode uid when the process cannot switch users", () => {
    expect(() => Sandbox.create({ ...DEFAULT_SANDBOX, mode: "uid" }, 2, silent, noSwitch)).toThrow(SandboxUnavailableError);
  });

  it("falls back to the runner's own user in auto mode, without a uid in the launch", () => {
    const sandbox = Sandbox.create({ ...DEFAULT_SANDBOX, mode: "auto" }, 2, silent, noSwitch);
    expect(sandbox.mode).toBe("none");
    const launch = sandbox.launch(0);
    expect(launch.uid).toBeUndefined();
    expect(launch.killAll).toBeUndefined();
    expect(launch.wrap("echo hi")).toMatchObject({ file: "/usr/bin/prlimit" });
  });

  it("gives each slot its own uids, never shared with another slot", () => {
    const sandbox = Sandbox.create({ ...DEFAULT_SANDBOX, mode: "auto", uidBase: 5000 }, 3, silent, {
      canSwitchUsers: true,
      prlimit: "/usr/bin/prlimit",
    });
    const all = [0, 1, 2].flatMap((slot) => sandbox.uidsOf(slot));
    expect(new Set(all).size).toBe(all.length);
    expect(sandbox.uidsOf(1).slice(0, 2)).toEqual([5001, 5004]);
  });
});

describe("killAllOf", () => {
  it("refuses root, which would make kill(-1) hit the whole machine", async () => {
    await expect(killAllOf({ uid: 0, gid: 0 })).rejects.toThrow(/refusing/);
  });
});

describe("bwrapArgs", () => {
  it("mounts the private tmpfs folders before binding the run's own folders, which may live under /tmp", () => {
    const args = bwrapArgs("/usr/bin/bwrap", { workspace: "/tmp/runner/work/x", writable: ["/tmp/runner/tmp/x/home"], readOnly: ["/tmp/app/guards"] });
    expect(args.slice(0, 2)).toEqual(["/usr/bin/bwrap", "--unshare-all"]);
    const tmpfs = args.indexOf("/tmp", args.indexOf("--tmpfs"));
    const bind = args.indexOf("/tmp/runner/work/x");
    expect(tmpfs).toBeGreaterThan(0);
    expect(bind).toBeGreaterThan(tmpfs);
    // The guards stay visible, read-only, even when the runner lives under the private /tmp.
    const guards = args.indexOf("/tmp/app/guards");
    expect(args.slice(guards - 1, guards + 2)).toEqual(["--ro-bind", "/tmp/app/guards", "/tmp/app/guards"]);
    expect(guards).toBeGreaterThan(tmpfs);
    expect(args.slice(-3)).toEqual(["--chdir", "/tmp/runner/work/x", "--"]);
    expect(args).toContain("--die-with-parent");
  });
});

describe("Sandbox.create with bwrap", () => {
  it("refuses bwrap mode without bubblewrap instead of running with less isolation", () => {
    const tools = { canSwitchUsers: true, prlimit: "/usr/bin/prlimit", launcher: { path: "/opt/runner-launcher", scoped: false } };
    expect(() => Sandbox.create({ ...DEFAULT_SANDBOX, mode: "bwrap" }, 1, silent, tools)).toThrow(/bubblewrap/);
  });
});

describe("Sandbox.reclaim", () => {
  const asRoot = process.getuid?.() === 0;

  it.runIf(asRoot)("kills what still runs as the slot's uid before it takes the workspace back", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "reclaim-"));
    chmodSync(root, 0o711);
    const paths = { workspace: path.join(root, "ws", "w"), runTmpDir: path.join(root, "tmp", "t"), privateDirs: [] };
    mkdirSync(paths.workspace, { recursive: true });
    mkdirSync(paths.runTmpDir, { recursive: true });
    const sandbox = Sandbox.create({ ...DEFAULT_SANDBOX, mode: "uid", uidBase: 47000 }, 1, silent);
    try {
      await sandbox.enter(0, paths, silent);
      const uid = statSync(paths.workspace).uid;
      expect(uid).toBeGreaterThanOrEqual(47000);
      // Started outside any run, so no run's exit kill has swept it: only reclaim's own sweep can.
      const lurker = spawn("/bin/sleep", ["30"], { uid, gid: uid, stdio: "ignore", detached: true });
      const died = new Promise((resolve) => lurker.on("exit", resolve));
      await sandbox.reclaim(0, paths.workspace);
      await expect(died).resolves.toBe(null);
      expect(statSync(paths.workspace).uid).toBe(0);
    } finally {
      await sandbox.cleanup(0, [root], silent);
    }
  });
});
