import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSteps } from "./run-steps";

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), "run-steps-"));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

const opts = () => ({ cwd, env: { PATH: "/usr/bin:/bin" }, timeoutMs: 5000, maxOutputBytes: 10_000, killGraceMs: 200 });

describe("runSteps", () => {
  it("runs setup commands in order before the test command", async () => {
    const { run, failedSetup } = await runSteps(["echo one > order.txt", "echo two >> order.txt"], "cat order.txt", opts());
    expect(failedSetup).toBeUndefined();
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain("one\ntwo");
  });

  it("stops at a failing setup command and never runs the tests", async () => {
    const { run, failedSetup } = await runSteps(["exit 3", "echo never"], "echo tests-ran", opts());
    expect(failedSetup).toEqual({ command: "exit 3", exitCode: 3 });
    expect(run.output).not.toContain("tests-ran");
    expect(run.output).not.toContain("never");
  });

  it("shares one time budget between setup and tests", async () => {
    const { run, failedSetup } = await runSteps(["sleep 0.6"], "sleep 2", { ...opts(), timeoutMs: 1000 });
    expect(failedSetup).toBeUndefined();
    expect(run.timedOut).toBe(true);
    expect(run.durationMs).toBeLessThan(2000);
  });
});
