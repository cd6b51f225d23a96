/**
 * File-level attacks on the sample PITs (issue "Grading integrity"), each a set of files added to the sample's
 * honest partial solution, and honest multi-file solutions that must keep their score. Built here, in code.
 */
export const JAVA = "java-maven-dummy-dev";
export const PYTHON = "python-pytest-dummy-dev";
export const NODE = "javascript-node-dummy-dev";

/** The partial samples' honest scores (runner/PIT-CONFIGS.md). */
export const HONEST_PARTIAL: Record<string, number> = { [JAVA]: 33.33, [PYTHON]: 50, [NODE]: 66.67 };

export interface Attack {
  pit: string;
  name: string;
  files: Record<string, string>;
  /** Files of the attack a submission may contribute (the solution itself, a harmless package marker); all others must be dropped. */
  kept?: string[];
}

const javaTests = (pkg: string, cls: string) => `package ${pkg};
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertTrue;
class ${cls} {
${Array.from({ length: 8 }, (_, i) => `  @Test void free${i}() { assertTrue(true); }`).join("\n")}
}
`;

const NO_OP_ASSERTIONS = `package org.junit.jupiter.api;
import org.junit.jupiter.api.function.Executable;
// A student's stand-in for JUnit's Assertions: nothing ever fails.
public final class Assertions {
  public static void assertEquals(long expected, long actual, String message) {}
  public static <T extends Throwable> T assertThrows(Class<T> type, Executable executable) { return null; }
}
`;

const pythonTests = Array.from({ length: 6 }, (_, i) => `def test_free_${i}():\n    assert True\n`).join("\n");
const DESELECT = `-k "not triangle and not negative"`;
const PASS_EVERYTHING_HOOK = `import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
`;
const SKIP_FROM_SOLUTION = `import pytest


def rectangle_area(width, height):
    if width < 0 or height < 0:
        pytest.skip("not done yet")
    return width * height


def square_area(side):
    return rectangle_area(side, side)


def triangle_area(base, height):
    pytest.skip("not done yet")
`;

const nodeTests = `const { test } = require("node:test");
${Array.from({ length: 5 }, (_, i) => `test("free ${i}", () => {});`).join("\n")}
`;

const FORGED_SUREFIRE = `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="dev.dummy.BankAccountTest" tests="3" failures="0" errors="0" skipped="0">
  <testcase name="depositIncreasesBalance" classname="dev.dummy.BankAccountTest"/>
  <testcase name="withdrawDecreasesBalance" classname="dev.dummy.BankAccountTest"/>
  <testcase name="withdrawMoreThanBalanceIsRejected" classname="dev.dummy.BankAccountTest"/>
</testsuite>
`;

export const ATTACKS: Attack[] = [
  { pit: JAVA, name: "own passing tests under src/test", files: { "src/test/java/dev/dummy/ExtraTest.java": javaTests("dev.dummy", "ExtraTest") } },
  { pit: JAVA, name: "own passing tests in a package of their own", files: { "src/test/java/zz/MoreTest.java": javaTests("zz", "MoreTest") } },
  { pit: JAVA, name: ".mvn/maven.config selecting the passing test", files: { ".mvn/maven.config": "-Dtest=BankAccountTest#depositIncreasesBalance\n" } },
  {
    pit: JAVA,
    name: "a pom of their own",
    files: { "pom.xml": "<project><modelVersion>4.0.0</modelVersion><groupId>x</groupId><artifactId>x</artifactId><version>1</version></project>\n" },
  },
  {
    pit: JAVA,
    name: "JUnit's Assertions shadowed by a no-op class",
    files: {
      "src/main/java/org/junit/jupiter/api/Assertions.java": NO_OP_ASSERTIONS,
      "src/main/java/org/junit/jupiter/api/function/Executable.java":
        "package org.junit.jupiter.api.function;\npublic interface Executable { void execute() throws Throwable; }\n",
    },
  },
  {
    pit: JAVA,
    name: "JUnit Platform configuration and a listener registration",
    files: {
      "src/main/resources/junit-platform.properties": "junit.platform.execution.listeners.deactivate=*\njunit.jupiter.conditions.deactivate=*\n",
      "src/main/resources/META-INF/services/org.junit.platform.launcher.TestExecutionListener": "dev.dummy.Listener\n",
    },
  },
  { pit: JAVA, name: "a passing Surefire report in the ZIP", files: { "target/surefire-reports/TEST-dev.dummy.BankAccountTest.xml": FORGED_SUREFIRE } },

  { pit: PYTHON, name: "own passing tests in tests/", files: { "tests/test_extra.py": pythonTests } },
  { pit: PYTHON, name: "a conftest.py in the test folder that turns failures into passes", files: { "tests/conftest.py": PASS_EVERYTHING_HOOK } },
  { pit: PYTHON, name: "a conftest.py in a sub-folder", files: { "sub/conftest.py": PASS_EVERYTHING_HOOK, "sub/__init__.py": "" }, kept: ["sub/__init__.py"] },
  { pit: PYTHON, name: "pytest.ini deselecting the failing tests", files: { "pytest.ini": `[pytest]\naddopts = ${DESELECT}\n` } },
  { pit: PYTHON, name: "setup.cfg deselecting the failing tests", files: { "setup.cfg": `[tool:pytest]\naddopts = ${DESELECT}\n` } },
  { pit: PYTHON, name: "pyproject.toml deselecting the failing tests", files: { "pyproject.toml": `[tool.pytest.ini_options]\naddopts = '${DESELECT}'\n` } },
  { pit: PYTHON, name: "tox.ini deselecting the failing tests", files: { "tox.ini": `[pytest]\naddopts = ${DESELECT}\n` } },
  {
    pit: PYTHON,
    name: "sitecustomize.py and a .pth file setting PYTEST_ADDOPTS",
    files: {
      "sitecustomize.py": `import os\nos.environ["PYTEST_ADDOPTS"] = '${DESELECT}'\n`,
      "evil.pth": `import os; os.environ["PYTEST_ADDOPTS"] = '${DESELECT}'\n`,
    },
  },
  { pit: PYTHON, name: "pytest.skip() called from the solution", files: { "shapes.py": SKIP_FROM_SOLUTION }, kept: ["shapes.py"] },
  {
    // pytest loads every pytest11 entry point it finds on sys.path, the workspace's too, before any test runs; the
    // plugin needs no import of pytest: a pytest_pyfunc_call that answers True passes every test without running it.
    pit: PYTHON,
    name: "package metadata registering a module of the solution as a pytest plugin",
    files: {
      "helpers_plugin.py": "def pytest_pyfunc_call(pyfuncitem):\n    return True\n",
      "evil-1.0.dist-info/entry_points.txt": "[pytest11]\nevil = helpers_plugin\n",
      "evil-1.0.dist-info/METADATA.txt": "Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n",
      "lib/other.egg-info/entry_points.txt": "[pytest11]\nother = helpers_plugin\n",
    },
    kept: ["helpers_plugin.py"],
  },

  { pit: NODE, name: "own passing tests in test/", files: { "test/extra.test.js": nodeTests } },
  { pit: NODE, name: "own passing tests at the root, by node's file pattern", files: { "extra.test.js": nodeTests, "more-test.js": nodeTests } },
  { pit: NODE, name: "a passing JUnit report in the ZIP", files: { "reports/junit.xml": '<testsuites><testcase name="multiply multiplies two numbers" classname="test"/></testsuites>' } },
  { pit: NODE, name: "a package.json, an .npmrc and a node_modules shadow", files: { "package.json": '{"type":"commonjs"}', ".npmrc": "x=1\n", "node_modules/assert/index.js": "module.exports = () => {};\n" } },
];

/** Honest solutions spread over several files, folders and packages, reading data of their own: they score 100. */
export const HONEST_MULTI_FILE: Attack[] = [
  {
    pit: JAVA,
    name: "helper classes in other packages and a resource it reads",
    files: {
      "src/main/java/dev/dummy/BankAccount.java": `package dev.dummy;

import dev.dummy.ledger.Ledger;
import dev.dummy.rules.Limits;

public class BankAccount {
    private final Ledger ledger = new Ledger();

    public void deposit(long amount) {
        ledger.add(amount);
    }

    public void withdraw(long amount) {
        if (!Limits.allows(ledger.total(), amount)) throw new IllegalArgumentException(Limits.message());
        ledger.add(-amount);
    }

    public long getBalance() {
        return ledger.total();
    }
}
`,
      "src/main/java/dev/dummy/ledger/Ledger.java": `package dev.dummy.ledger;

import java.util.ArrayList;
import java.util.List;

public class Ledger {
    private final List<Long> entries = new ArrayList<>();

    public void add(long amount) {
        entries.add(amount);
    }

    public long total() {
        return entries.stream().mapToLong(Long::longValue).sum();
    }
}
`,
      "src/main/java/dev/dummy/rules/Limits.java": `package dev.dummy.rules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

public final class Limits {
    private Limits() {}

    public static boolean allows(long balance, long amount) {
        return amount <= balance;
    }

    public static String message() {
        try (InputStream in = Limits.class.getResourceAsStream("/messages.txt")) {
            return in == null ? "insufficient funds" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "insufficient funds";
        }
    }
}
`,
      "src/main/resources/messages.txt": "Insufficient funds\n",
    },
  },
  {
    pit: PYTHON,
    name: "a package, a helper module and a data file it reads",
    files: {
      "shapes.py": `from geometry.rect import rectangle_area
from helpers import halve


def square_area(side):
    return rectangle_area(side, side)


def triangle_area(base, height):
    return halve(base * height)
`,
      "geometry/__init__.py": "",
      "geometry/rect.py": `def rectangle_area(width, height):
    if width < 0 or height < 0:
        raise ValueError("sides must not be negative")
    return width * height
`,
      "helpers.py": `from pathlib import Path

DIVISOR = int(Path(__file__).with_name("data").joinpath("divisor.txt").read_text().strip())


def halve(value):
    return value / DIVISOR
`,
      "data/divisor.txt": "2\n",
    },
  },
  {
    pit: NODE,
    name: "modules in a folder and a JSON file it reads",
    files: {
      "calculator.js": `const ops = require("./lib/ops");
const { factor } = require("./data/factor.json");

module.exports = { add: ops.add, subtract: ops.subtract, multiply: (a, b) => ops.multiply(a, b) * factor };
`,
      "lib/ops.js": `module.exports = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
};
`,
      "data/factor.json": '{ "factor": 1 }\n',
    },
  },
];
