import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { PYTHON_PIT, sampleFile, writePolicyPits, writeSubmission, type PolicyPit } from "./helpers/code-policy-pits";
import { startHarness, type Harness } from "./helpers/harness";
import { expectationTitle, expectTamperOutcome, type Expected } from "./helpers/tamper-outcome";

/**
 * Solution code that reaches pytest's session from inside the test process (the review of issue 14's Python
 * guard): frames handed out by `traceback.walk_stack`, read through `operator.attrgetter` with a computed name,
 * give the test item and so the plugin manager; a module used as a value (`[sys][0].modules`) hides what is taken
 * from it. Each attack is appended to the PARTIAL sample (honest score 50) and must end ERROR invalid_submission
 * naming the file and the API (the static check), or DONE with exactly 50 (the runtime guard: the runner's pytest
 * plugin). The `py-frames` PITs allow the attacks' APIs, so only the runtime layer stands in their way; the
 * `-nolist` ones have no recorded expectedTests, so every test of the template's module counts.
 */

/** A plugin whose report hook turns every failure into a pass, registered by `_register(pluginmanager)`. */
const FRAME_WALK = `
import traceback
import operator


class _Plugin:
    def pytest_runtest_logreport(self, report):
        report.outcome = "passed"
        report.longrepr = None


_done = []


def _hook():
    if _done:
        return
    locals_of = [operator][0].attrgetter("f_" + "locals")
    for frame, _ in [traceback][0].walk_stack(None):
        item = locals_of(frame).get("item")
        if item is not None and hasattr(item, "config"):
            _done.append(1)
            _register(item.config.pluginmanager)
            return


_rect, _square, _tri = rectangle_area, square_area, triangle_area


def rectangle_area(width, height):
    _hook()
    return _rect(width, height)


def square_area(side):
    _hook()
    return _square(side)


def triangle_area(base, height):
    _hook()
    return _tri(base, height)
`;

const ATTACKS: Record<string, string> = {
  // The review's attack A: pytest's own register.
  register: `${FRAME_WALK}\n\ndef _register(pm):\n    pm.register(_Plugin(), "helper")\n`,
  // pluggy's base register: pytest's pytest_plugin_registered is never called.
  superRegister: `${FRAME_WALK}\n\ndef _register(pm):\n    super(type(pm), pm).register(_Plugin(), "helper")\n`,
  // No registration at all: an implementation put into the hook's own list.
  hookImpl: `${FRAME_WALK}
def _register(pm):
    caller = pm.hook.pytest_runtest_logreport
    impl = caller.get_hookimpls()[0]
    plugin = _Plugin()
    opts = {"hookwrapper": False, "optionalhook": False, "tryfirst": False, "trylast": False, "specname": None}
    (caller._nonwrappers if hasattr(caller, "_nonwrappers") else caller._hookimpls).append(type(impl)(plugin, "helper", plugin.pytest_runtest_logreport, opts))
`,
  // The junit reporter's own implementation wrapped: it is handed reports already changed.
  implFunction: `${FRAME_WALK}
def _register(pm):
    for impl in pm.hook.pytest_runtest_logreport.get_hookimpls():
        def wrapped(*args, _original=impl.function, **kwargs):
            report = kwargs.get("report", args[0] if args else None)
            if report is not None:
                report.outcome = "passed"
                report.longrepr = None
            return _original(*args, **kwargs)

        impl.function = wrapped
`,
  // The plugin manager reached through a module of pytest's (a class attribute), at import.
  debuggingModule: `
import sys


class _Plugin:
    def pytest_runtest_logreport(self, report):
        report.outcome = "passed"
        report.longrepr = None


sys.modules["_pytest.debugging"].pytestPDB._pluginmanager.register(_Plugin(), "helper")
`,
  // The runner's own plugin switched off through its module first: its hooks bound their helpers when it loaded.
  disableGuard: `
import sys


class _Plugin:
    def pytest_runtest_logreport(self, report):
        report.outcome = "passed"
        report.longrepr = None


_guard = sys.modules.get("runner_code_policy_pytest")
if _guard is not None:
    _guard._check_session = _guard._restore = _guard._freeze = _guard._take_hooks = _guard._drop = lambda *a, **k: None
    _guard._student_on_stack = lambda: False
sys.modules["_pytest.debugging"].pytestPDB._pluginmanager.register(_Plugin(), "helper")
`,
  // The runner's plugin switched off by emptying its module's containers (method calls: no attribute is written),
  // and the import guard's sitecustomize imported as well.
  importGuard: `
import runner_code_policy_pytest as _guard
import sitecustomize

for _state in (_guard._saved_classes, _guard._class_proxies, _guard._module_getters, _guard._module_values, _guard._locked, _guard._plugins_checked):
    _state.clear()
# Every later registration taken for a replay from before the plugin's own.
_guard._replaying.append(1)
`,
  // After pytest wrote its report: a passing one written over it and the exit status made 0, everything reached
  // through sys.modules (allowed in the py-frames PITs), so only the audit hook and the exit guard stand in the way.
  atexitRewrite: `
import sys

_modules = sys.modules
_open = _modules["builtins"].open
_CASES = "".join('<testcase classname="tests.test_shapes" name="%s"/>' % n for n in ("test_rectangle_area", "test_square_area", "test_triangle_area", "test_negative_sides_are_rejected"))


def _rewrite():
    with _open("reports/junit.xml", "w") as report:
        report.write('<testsuites><testsuite name="pytest" tests="4" failures="0" errors="0">' + _CASES + "</testsuite></testsuites>")
    _modules["os"]._exit(0)


_modules["atexit"].register(_rewrite)
`,
  // The same, as a string timeit compiles and runs (named <timeit-src>): the code is the student's all the same.
  timeitExec: `
import timeit

_PAYLOAD = '''
import sys
atexit, os = sys.modules["atexit"], sys.modules["os"]
_CASES = "".join('<testcase classname="tests.test_shapes" name="%s"/>' % n for n in ("test_rectangle_area", "test_square_area", "test_triangle_area", "test_negative_sides_are_rejected"))
def _rewrite():
    with open("reports/junit.xml", "w") as report:
        report.write('<testsuites><testsuite name="pytest" tests="4" failures="0" errors="0">' + _CASES + "</testsuite></testsuites>")
    os._exit(0)
atexit.register(_rewrite)
'''
timeit.timeit(_PAYLOAD, number=1)
`,
  // Template tests put in each other's place, or a stdlib function dressed as one (functools.wraps names the template
  // test in __wrapped__), during collection: pytest asks each name of the test module for __test__.
  swapTests: `
import functools
import linecache
import sys

_modules = sys.modules


class _Area:
    def __init__(self, function):
        self._function = function

    def __call__(self, *args):
        return self._function(*args)

    def __getattr__(self, name):
        if name == "__test__":
            tests = _modules.get("test_shapes") or _modules.get("tests.test_shapes")
            if tests is not None:
                tests.test_triangle_area = functools.wraps(tests.test_triangle_area)(linecache.clearcache)
                tests.test_negative_sides_are_rejected = tests.test_square_area
        raise AttributeError(name)


rectangle_area = _Area(rectangle_area)
`,
  // The atexit payload in a module of its own, imported by a path that names it differently: //ws/helper.py.
  slashPath: `
import os
import sys

sys.path.insert(0, "/" + os.getcwd())
import helper  # noqa: E402,F401
`,
  procCwd: `
import sys

sys.path.insert(0, "/proc/self/cwd")
import helper  # noqa: E402,F401
`,
  // Calls left for interpreter exit, with no frame of the student's on the stack by then: a logging handler rewrites
  // the report, then os._exit(0), looked up from a string (the fourth review's attack: 100 on the default policy).
  finalizerExit: `
import logging
import logging.config
import weakref


class _Anchor:
    pass


_anchor = _Anchor()
weakref.finalize(_anchor, logging.config.BaseConfigurator({}).resolve("os._exit"), 0)
_CASES = "".join('<testcase classname="tests.test_shapes" name="%s"/>' % n for n in ("test_rectangle_area", "test_square_area", "test_triangle_area", "test_negative_sides_are_rejected"))
_XML = '<testsuites><testsuite name="pytest" tests="4" failures="0" errors="0">' + _CASES + "</testsuite></testsuites>"
_handler = logging.FileHandler("reports/junit.xml", mode="w", delay=True)
_log = logging.getLogger("shapes.report")
_log.addHandler(_handler)
_log.propagate = False
weakref.finalize(_anchor, _log.error, _XML)
`,
  // A template conftest.py that imports the solution runs its code while the first conftests load, before the
  // session starts: a patch made then must not become the state the plugin puts back.
  conftestPatch: `
import sys

_reports = sys.modules["_pytest.reports"]
_make = _reports.TestReport.from_item_and_call


def _from_item_and_call(item, call):
    report = _make(item, call)
    report.outcome = "passed"
    report.longrepr = None
    return report


_reports.TestReport.from_item_and_call = staticmethod(_from_item_and_call)
`,
  // pytest registers the modules a test module names in pytest_plugins, with no frame of the student's on the
  // stack; a \`from shapes import *\` template copies the list in. The hook passes every test unrun.
  pluginsList: `
pytest_plugins = ["shapes"]


def pytest_pyfunc_call(pyfuncitem):
    return True
`,
  // The review's attack B: passing tests added to the template's test module while it imports the solution.
  extraTests: `
import sys


def _free():
    pass


_tests = [sys][0].modules.get("test_shapes")
if _tests is not None:
    for _i in range(12):
        _tests.__dict__["test_extra_%d" % _i] = _free
`,
  // No trick: a template that does \`from shapes import *\` would collect these too (such a PIT is refused).
  starTests: Array.from({ length: 6 }, (_, i) => `\n\ndef test_bonus_${i}():\n    pass\n`).join(""),
  osExitValue: `\nimport os\n[os][0]._exit(0)\n`,
  walkStack: `\nimport traceback\n_frames = list(traceback.walk_stack(None))\n`,
  openUnpacked: `\n_args = ["reports/junit.xml", "w"]\nopen(*_args)\n`,
  // Too deeply nested for the checker's parser (RecursionError): refused, never skipped as if it did not parse.
  tooDeep: `\nimport _pytest\n_x = ${Array(50_000).fill("1").join("+")}\n`,
};

/** Files some attacks add beside shapes.py. */
const EXTRA_FILES: Record<string, Record<string, string>> = {
  slashPath: { "helper.py": ATTACKS.atexitRewrite ?? "" },
  procCwd: { "helper.py": ATTACKS.atexitRewrite ?? "" },
};

const CASES: [pit: string, attack: string, expected: Expected][] = [
  [PYTHON_PIT, "register", { api: /shapes\.py:\d+ uses (traceback|operator) \(as a value\)/ }],
  [PYTHON_PIT, "extraTests", { api: /shapes\.py:\d+ uses sys \(as a value\)/ }],
  [PYTHON_PIT, "osExitValue", { api: /shapes\.py:\d+ uses os \(as a value\)/ }],
  [PYTHON_PIT, "walkStack", { api: /shapes\.py:\d+ uses traceback\.walk_stack/ }],
  [PYTHON_PIT, "openUnpacked", { api: /shapes\.py:\d+ uses open with unpacked arguments/ }],
  [PYTHON_PIT, "debuggingModule", { api: /shapes\.py:\d+ uses sys\.modules/ }],
  [PYTHON_PIT, "tooDeep", { api: /shapes\.py(:0)? uses code the checker could not read/ }],
  [PYTHON_PIT, "importGuard", { api: /shapes\.py:\d+ uses import runner_code_policy_pytest/ }],
  [PYTHON_PIT, "pluginsList", { api: /shapes\.py:\d+ uses the pytest hook name pytest_(plugins|pyfunc_call)/ }],
  // The runtime layer alone.
  ...["register", "superRegister", "hookImpl", "implFunction", "debuggingModule", "extraTests"].flatMap((attack): [string, string, Expected][] => [
    ["py-frames", attack, { score: 50 }],
    ["py-frames-nolist", attack, { score: 50 }],
  ]),
  ["py-frames", "disableGuard", { score: 50 }],
  // A template that star-imports the solution is refused: the solution would choose the tests' names.
  ["py-star-nolist", "starTests", { pitRefused: true }],
  ["py-frames-conftest", "conftestPatch", { score: 50 }],
  // The solution imported as tests/../shapes.py: the guard compares file names normalised.
  ["py-frames", "atexitRewrite", { score: 50 }],
  [PYTHON_PIT, "timeitExec", { api: /shapes\.py:\d+ uses (import )?timeit/ }],
  ["py-timeit", "timeitExec", { score: 50 }],
  [PYTHON_PIT, "finalizerExit", { api: /shapes\.py:\d+ uses (import )?(logging\.config|weakref\.finalize|logging\.FileHandler)/ }],
  // Runtime alone: the exit refused once the solution has loaded, so the rewritten report meets pytest's exit status.
  ["py-finalize", "finalizerExit", { reportDistrusted: true }],
  ["py-frames", "swapTests", { score: 50 }],
  ["py-frames", "slashPath", { score: 50 }],
  ["py-frames", "procCwd", { score: 50 }],
  ["py-frames-dotdot", "atexitRewrite", { score: 50 }],
  ["py-frames-dotdot", "register", { score: 50 }],
  ["py-hooks-star", "pluginsList", { pitRefused: true }],
];

const ALLOW = ["traceback.walk_stack", "operator.attrgetter", "operator.attrgetter(computed)", "value/", "sys.modules", "pytest-hook"];
// The sample's test module, taking the solution's names with a star import.
const STAR_IMPORT: PolicyPit["edits"] = { "tests/test_shapes.py": [["from shapes import rectangle_area, square_area, triangle_area", "from shapes import *"]] };

// The sample's conftest.py, then an import of the solution (a template may want its names for fixtures).
const CONFTEST_IMPORTING_SOLUTION = `import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import shapes  # noqa: E402,F401
`;

// A common way to make the solution importable from tests/: its code objects are then named tests/../shapes.py.
const CONFTEST_PARENT_ON_PATH = `import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
`;

let h: Harness;
let scratch: string;
let pits: Awaited<ReturnType<typeof writePolicyPits>>;
const rows = new Map<string, Awaited<ReturnType<Harness["api"]["waitForFinal"]>>>();
const keyOf = (pit: string, attack: string) => `${pit}/${attack}`;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "tamper-py-session-"));
  pits = await writePolicyPits([
    { pitId: PYTHON_PIT, base: PYTHON_PIT },
    { pitId: "py-frames", base: PYTHON_PIT, config: { codePolicy: { allow: ALLOW } } },
    { pitId: "py-frames-nolist", base: PYTHON_PIT, config: { codePolicy: { allow: ALLOW }, expectedTests: undefined } },
    { pitId: "py-star-nolist", base: PYTHON_PIT, config: { expectedTests: undefined }, edits: STAR_IMPORT },
    { pitId: "py-timeit", base: PYTHON_PIT, config: { codePolicy: { allow: ["timeit"] } } },
    { pitId: "py-finalize", base: PYTHON_PIT, config: { codePolicy: { allow: ["logging.config", "weakref.finalize", "logging.FileHandler"] } } },
    { pitId: "py-frames-dotdot", base: PYTHON_PIT, config: { codePolicy: { allow: ALLOW } }, files: { "tests/conftest.py": CONFTEST_PARENT_ON_PATH } },
    { pitId: "py-frames-conftest", base: PYTHON_PIT, config: { codePolicy: { allow: ALLOW } }, files: { "conftest.py": CONFTEST_IMPORTING_SOLUTION } },
    { pitId: "py-hooks-star", base: PYTHON_PIT, config: { codePolicy: { allow: ["pytest-hook"] } }, edits: STAR_IMPORT },
  ]);
  const partial = await sampleFile(PYTHON_PIT, "partial", "shapes.py");
  h = await startHarness();
  h.startRunner({ RUNNER_PITS_DIR: pits.dir, RUNNER_CONCURRENCY: "2", RUNNER_SANDBOX: "uid" });
  const submitted = await Promise.all(
    CASES.map(async ([pit, attack]) => {
      const key = keyOf(pit, attack);
      const folder = await writeSubmission(scratch, key.replaceAll("/", "-"), { "shapes.py": `${partial}${ATTACKS[attack]}`, ...EXTRA_FILES[attack] });
      return { key, ...(await h.api.submit({ pitId: pit, source: folder })) };
    }),
  );
  await Promise.all(submitted.map(async ({ key, submissionId }) => rows.set(key, await h.api.waitForFinal(submissionId, 170_000))));
}, 180_000);
afterAll(async () => {
  await h?.stop();
  await pits?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe.each(CASES)("%s / %s", (pit, attack, expected) => {
  it(expectationTitle(expected), () => {
    const row = rows.get(keyOf(pit, attack));
    expectTamperOutcome(row, expected);
  });
});
