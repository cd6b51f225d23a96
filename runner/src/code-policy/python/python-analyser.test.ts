import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PitConfig } from "../../pit-config/interfaces/pit-config.interface";
import { createPolicy } from "../policy";
import { analysePython, createPythonAnalyser, PYTHON } from "./python-analyser";
import { PYTHON_DEFAULT_DENY } from "./python-rules";

let dir: string;
let n = 0;
// One worker for every case below, as the runner keeps one: the files that make the parser give up must not spoil
// the answers to the ones after them.
const shared = createPythonAnalyser();
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "py-analyser-"));
});
afterAll(async () => {
  shared.close();
  await rm(dir, { recursive: true, force: true });
});

/** The denied uses of a source, through the real interpreter, as `line:rule` strings. */
async function denied(source: string, codePolicy?: PitConfig["codePolicy"]): Promise<string[]> {
  const file = `s${(n += 1)}.py`;
  await writeFile(path.join(dir, file), source);
  const policy = createPolicy(PYTHON_DEFAULT_DENY, codePolicy);
  return (await shared.analyse(dir, [file])).flatMap((use) => {
    const rule = policy.deniedBy(use.key);
    return rule === undefined ? [] : [`${use.line}:${rule}`];
  });
}

describe("analysePython (python3's ast, parse only)", () => {
  it("denies the test framework, the import machinery and introspection", async () => {
    expect(await denied("import _pytest.reports")).toEqual(["1:_pytest"]);
    expect(await denied("from _pytest import runner")).toEqual(["1:_pytest"]);
    expect(await denied("import pytest")).toEqual(["1:pytest"]);
    expect(await denied("import pluggy as p")).toEqual(["1:pluggy"]);
    expect(await denied("import importlib\nimportlib.import_module('_pytest.runner')")).toEqual(["1:importlib", "2:importlib"]);
    expect(await denied("import sys\nf = sys._getframe(1)")).toEqual(["2:sys._getframe"]);
    expect(await denied("import sys\nsys.modules['_pytest.runner'].x = 1")).toEqual(["2:sys.modules"]);
    expect(await denied("import gc\nfor o in gc.get_objects(): pass")).toEqual(["1:gc", "2:gc"]);
    expect(await denied("import inspect")).toEqual(["1:inspect"]);
    expect(await denied("from ctypes import pythonapi")).toEqual(["1:ctypes"]);
  });

  it("denies evaluation, namespace escapes and dunder escapes, not dunder definitions", async () => {
    expect(await denied("eval('1')\nexec('x=1')\ncompile('1', 'f', 'exec')")).toEqual(["1:eval", "2:exec", "3:compile"]);
    expect(await denied("__import__('os')")).toEqual(["1:__import__"]);
    expect(await denied("g = globals()\nv = vars()")).toEqual(["1:globals", "2:vars"]);
    expect(await denied("def f(): pass\nf.__globals__['x'] = 1")).toEqual(["2:__globals__"]);
    expect(await denied("object.__subclasses__()")).toEqual(["1:__subclasses__"]);
    expect(await denied("x = ().__class__.__bases__[0]")).toEqual(["1:__bases__"]);
    expect(await denied("try:\n  1/0\nexcept Exception as e:\n  e.__traceback__.tb_frame.f_back")).toEqual(["4:f_back", "4:tb_frame"]);
    expect(await denied("b = __builtins__")).toEqual(["1:__builtins__"]);
    expect(await denied("import os\nd = os.__dict__")).toEqual(["2:__dict__"]);
    expect(await denied("getattr(obj, name)")).toEqual(["1:getattr"]);
    expect(await denied("getattr(f, '__glob' 'als__')")).toEqual(["1:__globals__"]);
    expect(await denied("x = getattr")).toEqual(["1:getattr"]);
  });

  it("denies exits, processes, threads, sockets, serialisers and monkeypatching imported modules", async () => {
    expect(await denied("import os\nos._exit(0)")).toEqual(["2:os._exit"]);
    expect(await denied("import sys\nsys.exit(0)")).toEqual(["2:sys.exit"]);
    expect(await denied("exit()")).toEqual(["1:exit"]);
    expect(await denied("import atexit")).toEqual(["1:atexit"]);
    expect(await denied("import subprocess")).toEqual(["1:subprocess"]);
    expect(await denied("from os import system\nsystem('id')")).toEqual(["1:os.system"]);
    expect(await denied("import threading")).toEqual(["1:threading"]);
    expect(await denied("from concurrent.futures import ThreadPoolExecutor")).toEqual(["1:concurrent"]);
    expect(await denied("import socket")).toEqual(["1:socket"]);
    expect(await denied("import pickle")).toEqual(["1:pickle"]);
    expect(await denied("import math\nmath.pi = 3")).toEqual(["2:write/"]);
    expect(await denied("import math\nsetattr(math, 'pi', 3)")).toEqual(["2:write/"]);
  });

  it("denies a module used as a value, re-exported modules, frame helpers and computed getters", async () => {
    expect(await denied("import os\n[os][0]._exit(0)")).toEqual(["2:value/"]);
    expect(await denied("import sys\nm = [sys][0].modules")).toEqual(["2:value/"]);
    expect(await denied("import sys as s\nf(s)")).toEqual(["2:value/"]);
    expect(await denied("from os import sys\nsys.modules")).toEqual(["2:sys.modules"]);
    expect(await denied("import traceback\ntraceback.sys.modules")).toEqual(["2:sys.modules"]);
    expect(await denied("import traceback\nfor f, _ in traceback.walk_stack(None): pass")).toEqual(["2:traceback.walk_stack"]);
    expect(await denied("from traceback import walk_tb")).toEqual(["1:traceback.walk_tb"]);
    expect(await denied("import operator\noperator.attrgetter('f_' + 'locals')", { allow: ["operator.attrgetter"] })).toEqual(["2:operator.attrgetter(computed)"]);
    expect(await denied("from operator import itemgetter\nitemgetter(name)")).toEqual(["2:operator.itemgetter(computed)"]);
    // Legitimate: a module's attributes, getattr with a constant name, itemgetter with constants, traceback text.
    expect(await denied("import math, operator, traceback\nfrom operator import itemgetter\nx = math.pi\ny = getattr(math, 'tau')\n" +
      "k = sorted([(1, 2)], key=itemgetter(1))\nz = operator.itemgetter(0, 1)\ntry:\n    pass\nexcept Exception:\n    traceback.print_exc()\n")).toEqual([]);
  });

  it("fails closed on files the parser cannot finish, and on open() with unpacked arguments", async () => {
    // RecursionError and MemoryError in ast.parse itself (not SyntaxError): refused, never skipped as unparsable.
    expect(await denied(`import _pytest\nx = ${Array(50_000).fill("1").join("+")}\n`)).toEqual(["0:unchecked-code"]);
    expect(await denied(`x = ${"-".repeat(100_000)}1\n`)).toEqual(["0:unchecked-code"]);
    expect(await denied("open(*args)")).toEqual(["1:open"]);
    expect(await denied("open('x', **{'mode': 'w'})")).toEqual(["1:open"]);
    expect(await denied("def f(:\n")).toEqual([]);
    // NUL bytes: not source (a marshalled .pyc under a .py name would still run under runpy or python3 x.py).
    expect(await denied("\u0000\u0001import os\n")).toEqual(["0:unchecked-code"]);
  });

  it("denies names pytest would take as hooks or plugin lists, however they are bound", async () => {
    expect(await denied("def pytest_pyfunc_call(pyfuncitem):\n    return True\n")).toEqual(["1:pytest-hook"]);
    expect(await denied("x = 1\npytest_plugins = ['shapes']\n")).toEqual(["2:pytest-hook"]);
    expect(await denied("pytest_pyfunc_call = dict\n")).toEqual(["1:pytest-hook"]);
    expect(await denied("from json import dumps as pytest_configure\n")).toEqual(["1:pytest-hook"]);
    expect(await denied("class Plugin:\n    async def pytest_runtest_call(self, item):\n        pass\n")).toEqual(["2:pytest-hook"]);
    expect(await denied("class P:\n    pass\nP.pytest_runtest_call = print\n")).toEqual(["3:pytest-hook"]);
    expect(await denied("match ['shapes'], print:\n    case pytest_plugins, pytest_pyfunc_call:\n        pass\n")).toEqual(["2:pytest-hook"]);
    expect(await denied("match {}:\n    case {**pytest_x}:\n        pass\n")).toEqual(["2:pytest-hook"]);
    expect(await denied("my_pytest_value = 1\ndef test_helper():\n    return 'pytest_x'\n")).toEqual([]);
  });

  it("denies file writes and keeps reads", async () => {
    expect(await denied("open('data.txt').read()\nopen('data.txt', 'r')\nopen('d', mode='rb')")).toEqual([]);
    expect(await denied("open('reports/junit.xml', 'w')")).toEqual(["1:open"]);
    expect(await denied("open('x', 'a+')")).toEqual(["1:open"]);
    expect(await denied("open('x', mode)")).toEqual(["1:open"]);
    expect(await denied("from pathlib import Path\nPath('x').write_text('y')")).toEqual(["2:pathlib.Path.write_text"]);
    expect(await denied("from pathlib import Path\nPath('x').read_text()")).toEqual([]);
    expect(await denied("import shutil")).toEqual(["1:shutil"]);
    expect(await denied("import os\nos.remove('x')")).toEqual(["2:os.remove"]);
  });

  it("lets a PIT allow an API back", async () => {
    expect(await denied("import threading\nthreading.Thread(target=print).start()", { allow: ["threading"] })).toEqual([]);
    expect(await denied("import random\nrandom.random()", { deny: ["random"] })).toEqual(["1:random", "2:random"]);
  });

  it("skips a file that does not parse, and reads the others", async () => {
    await writeFile(path.join(dir, "bad.py"), "def f(:\n  import ctypes\n");
    await writeFile(path.join(dir, "good.py"), "import ctypes\n");
    const uses = await analysePython(dir, ["bad.py", "good.py"]);
    expect(uses.map((u) => `${u.file}:${u.key}`)).toEqual(["good.py:ctypes"]);
  });

  it("finds nothing in idiomatic solutions", async () => {
    const sources = [
      // Classes, inheritance, dunder definitions, properties, dataclasses, f-strings and % formatting.
      `from dataclasses import dataclass, field
from functools import total_ordering


@total_ordering
@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: list = field(default_factory=list)

    def __eq__(self, other):
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    def __lt__(self, other):
        return (self.x, self.y) < (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def __repr__(self):
        return f"Point({self.x!r}, {self.y!r}) %s" % type(self).__name__ + self.__class__.__name__


class Base:
    def __init__(self, name):
        self.name = name

    def same(self, other):
        return self.__dict__ == other.__dict__


class Child(Base):
    def __init__(self, name):
        super().__init__(name)
`,
      // Recursion, comprehensions, generators, lambdas, exceptions, collections, reading a data file.
      `import json
import math
import os
import sys
from collections import Counter, defaultdict, deque
from pathlib import Path

sys.setrecursionlimit(5000)
HERE = Path(__file__).parent


def fact(n):
    if n < 0:
        raise ValueError("negative")
    return 1 if n == 0 else n * fact(n - 1)


def load(name="data.json"):
    with open(os.path.join(os.path.dirname(__file__), name), encoding="utf-8") as handle:
        return json.load(handle)


def words(text):
    return Counter(w.lower() for w in text.split() if w)


squares = {n: n * n for n in range(10)}
evens = [n for n in range(10) if n % 2 == 0]
gen = (math.sqrt(n) for n in evens)
key = sorted(evens, key=lambda n: -n)
graph = defaultdict(list)
queue = deque([1])
text = (HERE / "data.txt").read_text() if (HERE / "data.txt").exists() else ""
value = getattr(math, "pi")
`,
    ];
    for (const source of sources) expect(await denied(source)).toEqual([]);
  });
});

describe("createPythonAnalyser (one worker kept between submissions)", () => {
  /** A stand-in interpreter: `script` runs in sh with the analyser's arguments. */
  async function fakePython(name: string, script: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, `#!/bin/sh\n${script}\n`);
    await chmod(file, 0o755);
    return file;
  }

  it("answers many requests, in parallel too, each with its own files, from one process", async () => {
    await writeFile(path.join(dir, "a.py"), "import ctypes\n");
    await writeFile(path.join(dir, "b.py"), "import os\nos._exit(0)\n");
    await writeFile(path.join(dir, "c.py"), "x = 1\n");
    const analyser = createPythonAnalyser();
    try {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => analyser.analyse(dir, i % 3 === 0 ? ["a.py"] : i % 3 === 1 ? ["c.py", "b.py"] : ["c.py"])),
      );
      answers.forEach((uses, i) => {
        const keys = uses.map((u) => `${u.file}:${u.line}:${u.key}`);
        if (i % 3 === 0) expect(keys).toEqual(["a.py:1:ctypes"]);
        else if (i % 3 === 1) expect(keys).toEqual(["b.py:1:os", "b.py:2:os._exit"]);
        else expect(keys).toEqual([]);
      });
      expect(analyser.served()).toMatchObject({ workers: 1, requests: 30 });
    } finally {
      analyser.close();
    }
  });

  it("replaces its worker after maxRequests, and after close()", async () => {
    await writeFile(path.join(dir, "a.py"), "import ctypes\n");
    const analyser = createPythonAnalyser({ maxRequests: 2 });
    try {
      for (let i = 0; i < 5; i += 1) expect((await analyser.analyse(dir, ["a.py"])).map((u) => u.key)).toEqual(["ctypes"]);
      expect(analyser.served()).toMatchObject({ workers: 3, requests: 5 });
      analyser.close();
      expect((await analyser.analyse(dir, ["a.py"])).map((u) => u.key)).toEqual(["ctypes"]);
      expect(analyser.served().workers).toBe(4);
    } finally {
      analyser.close();
    }
  });

  it("fails closed when a request runs out of time, and the next request gets a new worker", async () => {
    await writeFile(path.join(dir, "a.py"), "import ctypes\n");
    const marker = path.join(dir, "hung-once");
    // The first worker never answers; the second is the real interpreter.
    const python = await fakePython("hang-once", `if [ -e ${marker} ]; then exec ${PYTHON} "$@"; fi\ntouch ${marker}\nexec sleep 60`);
    const analyser = createPythonAnalyser({ python, timeoutMs: 300 });
    try {
      expect(await analyser.analyse(dir, ["a.py"])).toEqual([{ file: "a.py", line: 0, key: "unchecked-code", shown: "code the checker could not read within 300 ms" }]);
      expect((await analyser.analyse(dir, ["a.py"])).map((u) => u.key)).toEqual(["ctypes"]);
      expect(analyser.served().workers).toBe(2);
    } finally {
      analyser.close();
    }
  });

  it("fails closed on more output than it reads, also when it is one endless line", async () => {
    await writeFile(path.join(dir, "a.py"), "import ctypes\n");
    const analyser = createPythonAnalyser({ maxOutputBytes: 10 });
    try {
      expect((await analyser.analyse(dir, ["a.py"])).map((u) => u.key)).toEqual(["unchecked-code"]);
    } finally {
      analyser.close();
    }
    // 64 MiB and no newline: the cap holds on bytes as they arrive, not on lines.
    const endless = createPythonAnalyser({ python: await fakePython("endless", "read line\nhead -c 67108864 /dev/zero\nexec sleep 60"), maxOutputBytes: 1024 * 1024 });
    const started = performance.now();
    try {
      expect(await endless.analyse(dir, ["a.py"])).toEqual([{ file: "a.py", line: 0, key: "unchecked-code", shown: "more names than the checker reads" }]);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      endless.close();
    }
  });

  it("fails closed when the kernel kills the worker, and replaces one that grew too large", async () => {
    await writeFile(path.join(dir, "a.py"), "import ctypes\n");
    // What the OOM killer does: a SIGKILL this side did not send. Tried once more, then refused.
    const oom = createPythonAnalyser({ python: await fakePython("oom", "read line\nkill -9 $$") });
    try {
      expect((await oom.analyse(dir, ["a.py"]))[0]).toMatchObject({ key: "unchecked-code", shown: "code the checker could not read (exit SIGKILL)" });
      expect(oom.served()).toMatchObject({ workers: 2, requests: 2 });
    } finally {
      oom.close();
    }
    // Killed once (the host short of memory), then answered: the submission is checked, not refused.
    const marker = path.join(dir, "killed-once");
    const once = createPythonAnalyser({ python: await fakePython("oom-once", `if [ -e ${marker} ]; then exec ${PYTHON} "$@"; fi\ntouch ${marker}\nread line\nkill -9 $$`) });
    try {
      expect((await once.analyse(dir, ["a.py"])).map((u) => u.key)).toEqual(["ctypes"]);
    } finally {
      once.close();
    }
    const large = createPythonAnalyser({ maxRssBytes: 1 });
    try {
      for (let i = 0; i < 3; i += 1) expect((await large.analyse(dir, ["a.py"])).map((u) => u.key)).toEqual(["ctypes"]);
      expect(large.served()).toMatchObject({ workers: 3, requests: 3 });
    } finally {
      large.close();
    }
  });

  it("is an environment failure, not a finding, when close() ends a request's worker", async () => {
    await writeFile(path.join(dir, "a.py"), "import ctypes\n");
    const analyser = createPythonAnalyser({ python: await fakePython("slow", "read line\nexec sleep 60") });
    const answer = analyser.analyse(dir, ["a.py"]);
    await vi.waitFor(() => expect(analyser.served().pid).toBeGreaterThan(0));
    analyser.close();
    await expect(answer).rejects.toMatchObject({ name: "EnvironmentError", message: "the Python code-policy check failed (stopped by the runner)" });
  });

  it("is an environment failure when the worker dies, cannot start or answers nonsense; a later request recovers", async () => {
    await writeFile(path.join(dir, "a.py"), "import ctypes\n");
    const dies = createPythonAnalyser({ python: await fakePython("dies", "read line\necho boom >&2\nexit 3") });
    await expect(dies.analyse(dir, ["a.py"])).rejects.toThrow(/the Python code-policy check failed \(exit 3: boom\)/);
    dies.close();
    const missing = createPythonAnalyser({ python: path.join(dir, "no-such-python") });
    await expect(missing.analyse(dir, ["a.py"])).rejects.toMatchObject({ name: "EnvironmentError", kind: "transient" });
    missing.close();
    const nonsense = createPythonAnalyser({ python: await fakePython("nonsense", "read line\necho '{\"f\": \"x\"}'\nexec sleep 60") });
    await expect(nonsense.analyse(dir, ["a.py"])).rejects.toThrow(/answered a line it should not have/);
    nonsense.close();
    // A worker killed between two requests (OOM killer, a stray signal) is replaced by the next one.
    const analyser = createPythonAnalyser();
    try {
      await analyser.analyse(dir, ["a.py"]);
      const { pid } = analyser.served();
      expect(pid).toBeGreaterThan(0);
      process.kill(pid ?? 0, "SIGKILL");
      await vi.waitFor(() => expect(analyser.served().pid).toBeUndefined());
      expect((await analyser.analyse(dir, ["a.py"])).map((u) => u.key)).toEqual(["ctypes"]);
      expect(analyser.served()).toMatchObject({ workers: 2, requests: 2 });
    } finally {
      analyser.close();
    }
  });

  it("analysePython starts and ends a worker of its own", async () => {
    await writeFile(path.join(dir, "a.py"), "import ctypes\n");
    expect((await analysePython(dir, ["a.py"])).map((u) => u.key)).toEqual(["ctypes"]);
  });
});
