import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNNER_ROOT } from "../config";
import { PitConfigError } from "../errors/runner-error";
import { PitConfigService } from "./pit-config.service";

let dir: string;
let service: PitConfigService;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "pits-"));
  service = new PitConfigService(dir);
  await writeFile(path.join(dir, "broken-json.json"), "{ nope");
  await writeFile(path.join(dir, "bad-fields.json"), JSON.stringify({ language: "java", testCommand: "", maxTimeoutMs: -5, extra: 1 }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("PitConfigService.loadConfig", () => {
  it("loads every PIT shipped in runner/pits", async () => {
    const shipped = new PitConfigService(path.join(RUNNER_ROOT, "pits"));
    await expect(shipped.loadConfig("javascript-node-dummy-dev")).resolves.toMatchObject({ language: "javascript" });
  });

  it("says the PIT is unknown and names the file", async () => {
    const error = await service.loadConfig("missing-pit-v1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PitConfigError);
    expect((error as Error).message).toContain(path.join(dir, "missing-pit-v1.json"));
    expect((error as Error).message).toContain("unknown PIT");
  });

  it("reports invalid JSON", async () => {
    await expect(service.loadConfig("broken-json")).rejects.toThrow(/not valid JSON/);
  });

  it("names every bad field", async () => {
    const error = (await service.loadConfig("bad-fields").catch((e: unknown) => e)) as Error;
    for (const field of ["buildTool", "testCommand", "maxTimeoutMs", "extra"]) expect(error.message).toContain(field);
  });

  it.each(["../etc/passwd", "a/b", "", "UPPER", ".hidden", "a..b"])("rejects the unsafe pitId %j", async (pitId) => {
    await expect(service.loadConfig(pitId)).rejects.toThrow(/Invalid pitId/);
  });
});
