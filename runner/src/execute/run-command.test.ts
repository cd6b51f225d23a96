import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand, type RunCommandOptions } from "./run-command";

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), "run-command-"));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

const base = (): Omit<RunCommandOptions, "command"> => ({
  cwd,
  env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  timeoutMs: 5000,
  maxOutputBytes: 1024,
  killGraceMs: 200,
});

/** A zombie waiting for its reaper counts as dead: it runs no code and holds no resources but its pid. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

describe("runCommand", () => {
  it("captures stdout, stderr and the exit code", async () => {
    const result = await runCommand({ ...base(), command: "echo out; echo err >&2; exit 3" });
    expect(result.exitCode).toBe(3);
    expect(result.timedOut).toBe(false);
    expect(result.output).toContain("out");
    expect(result.output).toContain("err");
  });

  it("runs in the given directory with only the given environment", async () => {
    const result = await runCommand({ ...base(), env: { ...base().env, ONLY: "me" }, command: "pwd; env" });
    expect(result.output).toContain(cwd);
    expect(result.output).toContain("ONLY=me");
    expect(result.output).not.toContain("VITEST");
  });

  it("kills the whole process group at the timeout, even a child that ignores SIGTERM", async () => {
    const pidFile = path.join(cwd, "child.pid");
    const started = Date.now();
    const result = await runCommand({
      ...base(),
      timeoutMs: 300,
      command: `sh -c 'trap "" TERM; echo $$ > ${pidFile}; while :; do sleep 1; done' & wait`,
    });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
    const pid = Number((await readFile(pidFile, "utf8")).trim());
    expect(alive(pid)).toBe(false);
  });

  it("does not wait for a background process the command left behind", async () => {
    const started = Date.now();
    const result = await runCommand({ ...base(), command: "sleep 30 & echo bye" });
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain("bye");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("keeps the marked lines of stdout and stderr apart from the capped log, whatever is printed around them", async () => {
    const command = [
      "echo '@@mark first'",
      // Half a line on stdout, then a marked line on stderr: the streams are apart, nothing is mixed up.
      "printf 'partial ' ",
      "echo '@@mark on stderr' >&2",
      "head -c 300000 /dev/zero | tr '\\0' x",
      "echo",
      "echo '@@mark last'",
    ].join("; ");
    const result = await runCommand({ ...base(), command, keepLinesStartingWith: "@@mark " });
    // The log cut the middle: the marked lines are all there anyway.
    expect(result.output).toContain("output cut by the runner");
    expect(result.markedLines).toBe("@@mark first\n@@mark last\n@@mark on stderr\n");
    expect(result.markedLinesTruncated).toBe(false);
    const bounded = await runCommand({ ...base(), command: "for i in 1 2 3 4 5; do echo \"@@mark $i\"; done", keepLinesStartingWith: "@@mark ", markedLinesMaxBytes: 20 });
    expect({ lines: bounded.markedLines, truncated: bounded.markedLinesTruncated }).toEqual({ lines: "@@mark 1\n@@mark 2\n", truncated: true });
    const without = await runCommand({ ...base(), command: "echo '@@mark x'" });
    expect(without.markedLines).toBe("");
  });

  it("caps the output and keeps its end", async () => {
    const result = await runCommand({ ...base(), command: "head -c 100000 /dev/zero | tr '\\0' x; echo; echo THE-END" });
    expect(result.outputBytes).toBeGreaterThan(100000);
    expect(result.output.length).toBeLessThan(1200);
    expect(result.output).toContain("bytes omitted");
    expect(result.output.trimEnd().endsWith("THE-END")).toBe(true);
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await runCommand({ ...base(), command: "sleep 30", signal: controller.signal });
    expect(result.aborted).toBe(true);
    expect(result.exitCode).toBeNull();
  });

  it("starts the command through the launch wrapper and resolves only after its kill-all", async () => {
    let killAllDone = false;
    const result = await runCommand({
      ...base(),
      command: "echo inside",
      launch: {
        wrap: (command) => ({ file: "/usr/bin/env", args: ["WRAPPED=yes", "/bin/sh", "-c", `echo $WRAPPED; ${command}`] }),
        killAll: () => new Promise<void>((resolve) => setTimeout(() => ((killAllDone = true), resolve()), 200)),
      },
    });
    expect(result.output).toContain("yes");
    expect(result.output).toContain("inside");
    expect(killAllDone).toBe(true);
  });
});
