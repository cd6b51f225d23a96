import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PitConfig } from "../pit-config/interfaces/pit-config.interface";
import type { LoadedPit } from "../pit-config/pit-config.service";
import { templateFiles } from "../admit/select-files";
import { checkSource } from "./check-source";
import { runtimeGuardEnv } from "./runtime-guard";

let base: string;
let workspace: string;
let templateDir: string;

const pit = (config: Partial<PitConfig>): LoadedPit => ({
  pitId: "p",
  templateDir,
  config: { language: "python", buildTool: "pytest", testCommand: "x", maxTimeoutMs: 1000, ...config } as PitConfig,
});

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "check-source-"));
  workspace = path.join(base, "ws");
  templateDir = path.join(base, "template");
  const files: Record<string, string> = {
    "a.py": "import os\nimport ctypes\n",
    "pkg/b.py": "x = eval('1')\n",
    // The template replaces this one: its content is never the student's code.
    "tests/test_a.py": "import pytest\n",
    "c.js": "const cp = require('child_process');\n",
    "d.mjs": "import assert from 'node:assert';\n",
    "notes.txt": "import ctypes\n",
  };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(workspace, file)), { recursive: true });
    await writeFile(path.join(workspace, file), text);
  }
  await mkdir(path.join(templateDir, "tests"), { recursive: true });
  await writeFile(path.join(templateDir, "tests", "test_a.py"), "import pytest\n");
});
afterAll(() => rm(base, { recursive: true, force: true }));

const ALL = ["a.py", "c.js", "d.mjs", "notes.txt", "pkg/b.py", "tests/test_a.py"];

describe("checkSource", () => {
  it("checks the Python files of a Python PIT, minus those the template replaces, sorted by file and line", async () => {
    expect(await checkSource({ pit: pit({}), workspace, studentFiles: ALL })).toEqual([
      { file: "a.py", line: 2, api: "import ctypes", rule: "ctypes" },
      { file: "pkg/b.py", line: 1, api: "eval", rule: "eval" },
    ]);
  });

  it("checks the JavaScript files of a JavaScript PIT", async () => {
    const findings = await checkSource({ pit: pit({ language: "javascript", buildTool: "node" }), workspace, studentFiles: ALL });
    expect(findings.map((f) => `${f.file}:${f.line}:${f.rule}`)).toEqual(["c.js:1:node:child_process", "d.mjs:1:node:assert"]);
  });

  it("applies the PIT's allow and deny entries, and checks nothing for other languages", async () => {
    const allowed = await checkSource({ pit: pit({ codePolicy: { allow: ["ctypes", "eval"], deny: ["os"] } }), workspace, studentFiles: ALL });
    expect(allowed.map((f) => f.rule)).toEqual(["os"]);
    expect(await checkSource({ pit: pit({ language: "java", buildTool: "maven" }), workspace, studentFiles: ALL })).toEqual([]);
  });
});

describe("runtimeGuardEnv", () => {
  const input = (config: Partial<PitConfig>, env: Record<string, string> = {}) => ({
    pit: pit(config),
    workspace,
    studentFiles: ALL,
    templateFiles: templateFiles(pit(config).templateDir),
    reportPaths: ["reports/*.xml"],
    guardsDir: "/opt/runner-guards",
    env,
  });

  it("Python: the guard folder first on PYTHONPATH, the plugin first in PYTEST_PLUGINS, the student's files listed", () => {
    const env = runtimeGuardEnv(input({}, { PYTHONPATH: "/pit/lib", PYTEST_PLUGINS: "theirs" }));
    expect(env).toMatchObject({
      PYTHONPATH: "/opt/runner-guards/python:/pit/lib",
      PYTEST_PLUGINS: "runner_code_policy_pytest,theirs",
      RUNNER_GUARD_ROOT: workspace,
      RUNNER_GUARD_FILES: JSON.stringify(["a.py", "pkg/b.py"]),
    });
    const policy = JSON.parse(env.RUNNER_GUARD_POLICY ?? "{}") as { imports: string[]; events: string[]; exit: boolean };
    expect(policy.imports).toContain("_pytest");
    expect(policy.events).toEqual(expect.arrayContaining(["open", "sys._getframe", "gc.get_objects", "exec"]));
    expect(policy.exit).toBe(true);
  });

  it("Python: what the PIT allows, the guard does not refuse either", () => {
    const env = runtimeGuardEnv(input({ codePolicy: { allow: ["threading", "open", "os._exit"] } }));
    const policy = JSON.parse(env.RUNNER_GUARD_POLICY ?? "{}") as { imports: string[]; events: string[]; exit: boolean };
    expect(policy.imports).not.toContain("threading");
    expect(policy.events).not.toContain("open");
    expect(policy.exit).toBe(false);
  });

  it("Node: the preload first in NODE_OPTIONS, no code from strings while eval and Function are denied", () => {
    const env = runtimeGuardEnv(input({ language: "javascript", buildTool: "node" }, { NODE_OPTIONS: "--max-old-space-size=256" }));
    expect(env.NODE_OPTIONS).toBe('--require "/opt/runner-guards/node/code-policy-preload.cjs" --max-old-space-size=256');
    expect(JSON.parse(env.RUNNER_GUARD_POLICY ?? "{}")).toMatchObject({ noCodeFromStrings: true });
    expect(env.RUNNER_GUARD_FILES).toBe(JSON.stringify(["c.js", "d.mjs"]));
    const policy = JSON.parse(env.RUNNER_GUARD_POLICY ?? "{}") as { modules: string[]; globals: string[] };
    expect(policy.modules).toEqual(expect.arrayContaining(["assert", "test", "module", "child_process"]));
    expect(policy.globals).toEqual(["binding", "_linkedBinding", "dlopen", "getBuiltinModule"]);
    const allowed = runtimeGuardEnv(input({ language: "javascript", buildTool: "node", codePolicy: { allow: ["Function", "node:worker_threads"] } }));
    expect(JSON.parse(allowed.RUNNER_GUARD_POLICY ?? "{}")).toMatchObject({ noCodeFromStrings: false });
    expect((JSON.parse(allowed.RUNNER_GUARD_POLICY ?? "{}") as { modules: string[] }).modules).not.toContain("worker_threads");
  });

  it("lists '*' and the template's code files when the student's list would crowd the environment", () => {
    const many = Array.from({ length: 5000 }, (_, i) => `src/module_with_a_long_name_${i}.py`);
    const env = runtimeGuardEnv({ ...input({}), studentFiles: many });
    expect(env.RUNNER_GUARD_FILES).toBe("*");
    expect(env.RUNNER_GUARD_TRUSTED).toBe(JSON.stringify(["tests/test_a.py"]));
  });

  it("adds nothing for other languages", () => {
    expect(runtimeGuardEnv(input({ language: "java", buildTool: "maven" }))).toEqual({});
  });
});
