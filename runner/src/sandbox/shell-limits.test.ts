import { spawnSync } from "node:child_process";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { Sandbox } from "./sandbox";
import { DEFAULT_SANDBOX, type ResourceLimits } from "./sandbox-settings";
import { parseProcLimits, shellAppliesLimits, ulimitScript } from "./shell-limits";

const silent = pino({ level: "silent" });
const LIMITS: ResourceLimits = { cpuSeconds: 30, memoryBytes: 3 * 1024 ** 3, fileBytes: 5 * 1024 ** 2, processes: 64, openFiles: 100 };

describe("ulimitScript", () => {
  it("converts to dash's units and sets the process count only for a run's own uid", () => {
    expect(ulimitScript(LIMITS, true)).toBe(
      "ulimit -t 30 && ulimit -v 3145728 && ulimit -f 10240 && ulimit -n 100 && ulimit -c 0 && ulimit -p 64",
    );
    expect(ulimitScript(LIMITS, false)).not.toContain("ulimit -p");
  });
});

describe("parseProcLimits", () => {
  it("reads soft and hard values by the kernel's names", () => {
    const text = [
      "Limit                     Soft Limit           Hard Limit           Units     ",
      "Max cpu time              7                    unlimited            seconds   ",
      "Max open files            77                   77                   files     ",
    ].join("\n");
    const limits = parseProcLimits(text);
    expect(limits.get("Max cpu time")).toEqual(["7", "unlimited"]);
    expect(limits.get("Max open files")).toEqual(["77", "77"]);
  });
});

describe("limits set by the shell that runs the command", () => {
  it("holds on this machine's /bin/sh (Debian's dash), as in the image", () => {
    expect(shellAppliesLimits()).toBe(true);
  });

  it("puts exactly the configured limits, soft and hard, on the command, with no prlimit exec", () => {
    const sandbox = Sandbox.create({ ...DEFAULT_SANDBOX, mode: "none", limits: LIMITS }, 1, silent, {
      canSwitchUsers: false,
      shellLimits: true,
      prlimit: "/usr/bin/prlimit",
    });
    const { file, args } = sandbox.launch(0).wrap("cat /proc/self/limits");
    expect(file).toBe("/bin/sh");
    const run = spawnSync(file, args, { encoding: "utf8" });
    expect(run.status).toBe(0);
    const seen = parseProcLimits(run.stdout);
    expect(seen.get("Max cpu time")).toEqual(["30", "30"]);
    expect(seen.get("Max address space")).toEqual([String(LIMITS.memoryBytes), String(LIMITS.memoryBytes)]);
    expect(seen.get("Max file size")).toEqual([String(LIMITS.fileBytes), String(LIMITS.fileBytes)]);
    expect(seen.get("Max open files")).toEqual(["100", "100"]);
    expect(seen.get("Max core file size")).toEqual(["0", "0"]);
  });

  it("refuses to run the command when a limit cannot be set", () => {
    const sandbox = Sandbox.create({ ...DEFAULT_SANDBOX, mode: "none", limits: { ...LIMITS, openFiles: 10_000_000 } }, 1, silent, {
      canSwitchUsers: false,
      shellLimits: true,
    });
    const { file, args } = sandbox.launch(0).wrap("echo RAN");
    const run = spawnSync(file, args, { encoding: "utf8" });
    expect(run.stdout).not.toContain("RAN");
    expect(run.status).toBe(125);
    expect(run.stderr).toContain("resource limits could not be set");
  });
});
