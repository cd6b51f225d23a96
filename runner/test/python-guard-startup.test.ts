import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { templateFiles } from "../src/admit/select-files";
import { runtimeGuardEnv } from "../src/code-policy/runtime-guard";
import { reportPathsFor } from "../src/grading/report-files";
import type { PitConfig } from "../src/pit-config/interfaces/pit-config.interface";

/**
 * The Python guard's start, run directly (admission would drop the file this needs, so it cannot come through the
 * runner): with a PYTHONPATH the PIT sets to the workspace, a package of the student's named like one that
 * pytest's own imports probe for (copy.py's `org`, Jython's) would run while sitecustomize imports the runner's
 * plugin and pytest, before the audit hook exists. It must never be imported from the workspace then, and the guard
 * must still refuse what the policy denies.
 */
const RUNNER_DIR = path.resolve(__dirname, "..");
const PIT_ID = "python-pytest-dummy-dev";
let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), "py-guard-start-"));
  await cp(path.join(RUNNER_DIR, "pits", PIT_ID), workspace, { recursive: true });
  const partial = await readFile(path.join(RUNNER_DIR, "samples", PIT_ID, "partial", "shapes.py"), "utf8");
  // rectangle_area imports ctypes when it runs: refused by the import guard, so its test fails, if the guard is on.
  await writeFile(path.join(workspace, "shapes.py"), partial.replace("def rectangle_area(width, height):\n", "def rectangle_area(width, height):\n    import ctypes  # noqa: F401\n"));
  await mkdir(path.join(workspace, "org"));
  await writeFile(
    path.join(workspace, "org", "__init__.py"),
    'import os\nopen(os.path.join(os.path.dirname(__file__), "..", "org-ran"), "w").close()\nos.environ.pop("RUNNER_GUARD_ROOT", None)\nraise ImportError("not Jython")\n',
  );
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

describe("the Python guard's start under a PIT PYTHONPATH that covers the workspace", () => {
  it("imports nothing of the workspace before its audit hook is installed, and still refuses a denied import", async () => {
    const config = JSON.parse(await readFile(path.join(RUNNER_DIR, "pits", `${PIT_ID}.json`), "utf8")) as PitConfig;
    const pit = { pitId: PIT_ID, config, templateDir: path.join(RUNNER_DIR, "pits", PIT_ID) };
    const env: Record<string, string> = { PATH: "/usr/bin:/bin", HOME: workspace, LANG: "C.UTF-8", PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: "." };
    const guard = runtimeGuardEnv({
      pit,
      workspace,
      studentFiles: ["shapes.py", "org/__init__.py"],
      templateFiles: templateFiles(pit.templateDir),
      reportPaths: reportPathsFor(config.buildTool, config.reportPaths),
      guardsDir: path.join(RUNNER_DIR, "guards"),
      env,
    });
    expect(guard.PYTHONPATH).toBe(`${path.join(RUNNER_DIR, "guards", "python")}:.`);
    const run = spawnSync("/bin/sh", ["-c", config.testCommand], { cwd: workspace, env: { ...env, ...guard }, encoding: "utf8", timeout: 60_000 });
    expect(existsSync(path.join(workspace, "org-ran"))).toBe(false);
    const junit = await readFile(path.join(workspace, "reports", "junit.xml"), "utf8");
    expect(junit).toMatch(/name="test_rectangle_area"[^>]*>\s*<failure[^>]*import ctypes is not allowed in this exercise/);
    // square_area calls rectangle_area: refused the same way.
    expect(junit).toMatch(/name="test_square_area"[^>]*>\s*<failure[^>]*import ctypes is not allowed in this exercise/);
    expect(run.status).toBe(1);
  });
});
