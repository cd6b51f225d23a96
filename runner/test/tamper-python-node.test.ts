import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { NODE_PIT, PYTHON_PIT, sampleFile, writePolicyPits, writeSubmission } from "./helpers/code-policy-pits";
import { startHarness, type Harness } from "./helpers/harness";
import { expectationTitle, expectTamperOutcome, type Expected } from "./helpers/tamper-outcome";

/**
 * Solution code that tampers from inside the test process (issue 14, Python and Node), each attack appended to
 * the PARTIAL sample (honest scores: python 50, node 66.67). Each must end ERROR invalid_submission naming the
 * file and the API (the static check), or DONE with exactly the honest score (the runtime guard). The
 * `*-runtime` PITs allow the attacks' APIs, so only the runtime layer stands in their way.
 */

const REPORT_PATCH = `
def _patch(report_class):
    original = report_class.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if self.when == "call":
            self.outcome = "passed"
            self.longrepr = None

    report_class.__init__ = init
`;

const FAKE_XML =
  '<testsuites><testsuite name="pytest">' +
  ["test_rectangle_area", "test_square_area", "test_triangle_area", "test_negative_sides_are_rejected"]
    .map((name) => `<testcase classname="tests.test_shapes" name="${name}"/>`)
    .join("") +
  "</testsuite></testsuites>";

const PYTHON_ATTACKS: Record<string, string> = {
  // The attack: pytest's report objects patched at import, so every failure is reported as a pass.
  reportPatch: `${REPORT_PATCH}\nimport _pytest.reports as _reports\n_patch(_reports.TestReport)\n`,
  importlib: `import importlib\n_r = importlib.import_module("_pytest.reports")\n_r.TestReport.outcome = property(lambda self: "passed", lambda self, value: None)\n`,
  builtinsImport: `${REPORT_PATCH}\n_imp = __builtins__["__imp" + "ort__"] if isinstance(__builtins__, dict) else getattr(__builtins__, "__imp" + "ort__")\n_patch(_imp("_pytest.reports", fromlist=["x"]).TestReport)\n`,
  sysModules: `
import sys
_runner = sys.modules["_pytest.runner"]
_original = _runner.call_and_report


def _fake(item, when, log=True, **kwargs):
    report = _original(item, when, log=False, **kwargs)
    report.outcome, report.longrepr = "passed", None
    if log:
        item.ihook.pytest_runtest_logreport(report=report)
    return report


_runner.call_and_report = _fake
`,
  gcFind: `${REPORT_PATCH}\nimport gc\nfor _o in gc.get_objects():\n    if isinstance(_o, type) and _o.__name__ == "TestReport" and _o.__module__ == "_pytest.reports":\n        _patch(_o)\n`,
  // Rewrites the report after pytest has written it, at interpreter exit, with an open() the check cannot name.
  atexitReport: `import atexit\n_open = __builtins__["op" + "en"] if isinstance(__builtins__, dict) else getattr(__builtins__, "op" + "en")\n\n\ndef _rewrite():\n    with _open("reports/junit.xml", "w") as f:\n        f.write('${FAKE_XML}')\n\n\natexit.register(_rewrite)\n`,
  osExit: `import os\nos._exit(0)\n`,
};

/** Extra files of an attack, beside the solution: a module named like the runner's pytest plugin, to shadow it. */
const PYTHON_EXTRA: Record<string, Record<string, string>> = {
  shadowPlugin: { "runner_code_policy_pytest.py": "# nothing: the runner's restoring plugin would be this file\n" },
};
PYTHON_ATTACKS.shadowPlugin = PYTHON_ATTACKS.importlib ?? "";

const NODE_ATTACKS: Record<string, string> = {
  // The attack: every function of node:assert replaced by a no-op when the solution loads.
  assertNoop: `try {\n  const assert = require("node:assert");\n  for (const target of [assert, assert.strict]) for (const key of Object.keys(target)) target[key] = () => {};\n} catch {}\n`,
  computedRequire: `try {\n  const m = require(["node", "assert/strict"].join(":"));\n  Object.keys(m).forEach((k) => { m[k] = () => {}; });\n} catch {}\n`,
  functionEscape: `try {\n  Function("return process")().mainModule.require("node:assert/strict").equal = () => {};\n} catch {}\n`,
  constructorEscape: `try {\n  [].constructor.constructor("return process")().mainModule.require("assert").strict.equal = () => {};\n} catch {}\n`,
  globalThisProcess: `try {\n  globalThis["pro" + "cess"].mainModule.require("assert").strict.equal = () => {};\n} catch {}\n`,
  mockMethod: `try {\n  const { mock } = require("node:test");\n  mock.method(require("node:assert/strict"), "equal", () => {});\n} catch {}\n`,
};

const PY = (attack: string, expected: Expected) => ["python", PYTHON_PIT, attack, expected] as const;
const JS = (attack: string, expected: Expected) => ["node", NODE_PIT, attack, expected] as const;

const CASES = [
  PY("reportPatch", { api: /shapes\.py:\d+ uses import _pytest\.reports/ }),
  PY("importlib", { api: /shapes\.py:12 uses import importlib/ }),
  PY("builtinsImport", { api: /shapes\.py:\d+ uses __builtins__/ }),
  PY("sysModules", { api: /shapes\.py:\d+ uses sys\.modules/ }),
  PY("gcFind", { api: /shapes\.py:\d+ uses import gc/ }),
  PY("atexitReport", { api: /shapes\.py:12 uses import atexit/ }),
  PY("osExit", { api: /shapes\.py:13 uses os\._exit/ }),
  JS("assertNoop", { api: /calculator\.js:8 uses node:assert/ }),
  JS("computedRequire", { api: /calculator\.js:8 uses require\(\) of a computed name/ }),
  JS("functionEscape", { api: /calculator\.js:8 uses Function/ }),
  JS("constructorEscape", { api: /calculator\.js:8 uses \.constructor\.constructor/ }),
  JS("globalThisProcess", { api: /calculator\.js:8 uses globalThis\[computed\]/ }),
  JS("mockMethod", { api: /calculator\.js:8 uses node:test/ }),
  // The runtime layer alone: the PIT allows the APIs, the static check lets the attack through.
  PY("reportPatch", { score: 50 }),
  PY("importlib", { score: 50 }),
  PY("sysModules", { score: 50 }),
  PY("gcFind", { score: 50 }),
  PY("atexitReport", { score: 50 }),
  PY("shadowPlugin", { score: 50 }),
  JS("assertNoop", { score: 66.67 }),
  JS("computedRequire", { score: 66.67 }),
  JS("functionEscape", { score: 66.67 }),
  JS("mockMethod", { score: 66.67 }),
] as const;

const RUNTIME_ALLOW = {
  // Not open: the runtime guard refuses what the policy denies, so the writes stay denied (atexitReport).
  python: ["_pytest", "importlib", "sys.modules", "gc", "atexit", "__builtins__", "getattr"],
  node: ["node:assert", "node:test", "require(computed)", "Function", "write/"],
};
const pitOf = (language: "python" | "node", base: string, runtime: boolean) => (runtime ? `${language}-runtime` : base);

let h: Harness;
let scratch: string;
let pits: Awaited<ReturnType<typeof writePolicyPits>>;
type Row = Awaited<ReturnType<Harness["api"]["waitForFinal"]>>;
const rows = new Map<string, Row>();
const keyOf = (language: string, attack: string, expected: Expected) => `${language}/${attack}/${"api" in expected ? "static" : "runtime"}`;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "tamper-py-node-"));
  pits = await writePolicyPits([
    { pitId: "python-runtime", base: PYTHON_PIT, config: { codePolicy: { allow: RUNTIME_ALLOW.python } } },
    { pitId: "node-runtime", base: NODE_PIT, config: { codePolicy: { allow: RUNTIME_ALLOW.node } } },
    { pitId: PYTHON_PIT, base: PYTHON_PIT },
    { pitId: NODE_PIT, base: NODE_PIT },
  ]);
  const partial = { python: await sampleFile(PYTHON_PIT, "partial", "shapes.py"), node: await sampleFile(NODE_PIT, "partial", "calculator.js") };
  h = await startHarness();
  h.startRunner({ RUNNER_PITS_DIR: pits.dir, RUNNER_CONCURRENCY: "2", RUNNER_SANDBOX: "uid" });
  const submitted = await Promise.all(
    CASES.map(async ([language, base, attack, expected]) => {
      const key = keyOf(language, attack, expected);
      const files: Record<string, string> =
        language === "python"
          ? { "shapes.py": `${partial.python}${PYTHON_ATTACKS[attack]}`, ...PYTHON_EXTRA[attack] }
          : { "calculator.js": `${partial.node}${NODE_ATTACKS[attack]}` };
      const folder = await writeSubmission(scratch, key.replaceAll("/", "-"), files);
      return { key, ...(await h.api.submit({ pitId: pitOf(language, base, "score" in expected), source: folder })) };
    }),
  );
  await Promise.all(submitted.map(async ({ key, submissionId }) => rows.set(key, await h.api.waitForFinal(submissionId, 170_000))));
}, 180_000);
afterAll(async () => {
  await h?.stop();
  await pits?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe.each(CASES)("%s / %s / %s", (language, _base, attack, expected) => {
  it(expectationTitle(expected), () => {
    const row = rows.get(keyOf(language, attack, expected));
    expectTamperOutcome(row, expected);
  });
});
