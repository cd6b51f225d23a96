import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RUNNER_ROOT } from "../config";
import { HealthFile } from "./health-file";

const SCRIPT = path.join(RUNNER_ROOT, "scripts", "healthcheck.js");
let dir: string;
beforeEach(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), "health-"))));
afterEach(() => rm(dir, { recursive: true, force: true }));

const check = (file: string, args: string[] = []) =>
  spawnSync(process.execPath, [SCRIPT, ...args], { env: { ...process.env, RUNNER_HEALTH_FILE: file }, encoding: "utf8" });
const waitFor = async (p: string) => {
  for (let i = 0; i < 100; i++) {
    if (await stat(p).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("HealthFile", () => {
  it("creates the file and its folder on the first touch", async () => {
    const file = path.join(dir, "nested", "health");
    new HealthFile(file, pino({ level: "silent" })).touch();
    await waitFor(file);
    expect(await readFile(file, "utf8")).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("skips writes closer together than its interval", async () => {
    const file = path.join(dir, "health");
    const health = new HealthFile(file, pino({ level: "silent" }), 60_000);
    health.touch(1_000_000);
    await waitFor(file);
    await new Promise((r) => setTimeout(r, 50));
    await rm(file);
    health.touch(1_000_500);
    await new Promise((r) => setTimeout(r, 50));
    expect(await stat(file).then(() => true, () => false)).toBe(false);
  });
});

describe("scripts/healthcheck.js", () => {
  it("passes for a fresh file", async () => {
    const file = path.join(dir, "health");
    await writeFile(file, "now");
    const result = check(file);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("ok");
  });

  it("fails for a file older than the limit", async () => {
    const file = path.join(dir, "health");
    await writeFile(file, "then");
    const past = new Date(Date.now() - 120_000);
    await utimes(file, past, past);
    expect(check(file, ["60"]).status).toBe(1);
    expect(check(file, ["300"]).status).toBe(0);
  });

  it("fails when the file is missing", () => {
    const result = check(path.join(dir, "absent"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("cannot be read");
  });
});
