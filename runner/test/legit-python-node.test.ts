import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE_PIT, PYTHON_PIT, writePolicyPits, type PolicyPit } from "./helpers/code-policy-pits";
import { SAMPLES_DIR, startHarness, type Harness } from "./helpers/harness";

/**
 * Legitimate solutions keep working under the code policy (issue 14, Python and Node): idiomatic solutions using
 * classes and inheritance, recursion, exceptions, collections, comprehensions/generators/lambdas/arrow functions,
 * f-strings/%/format/template literals, __eq__/__hash__/__repr__ and equals/valueOf/toPrimitive overrides, and a
 * data file the exercise provides, each graded through the real runner (static check and runtime guard on) to
 * exactly its score. Fixtures: test/fixtures/code-policy/<language>/{pit,solutions/<name>}.
 */

const FIXTURES = path.join(__dirname, "fixtures", "code-policy");
const PYTHON_LEGIT = "python-legit-dev";
const NODE_LEGIT = "javascript-legit-dev";

// Templates that decorate their tests (mock.patch, a functools.wraps helper, one without it, unittest's skipIf on a
// TestCase method), build them in a factory or put them in a class as static methods:
// the runner's plugin runs only tests written in the template's files, and must see through the wrappers.
const PYTHON_DECORATED = "python-decorated-dev";
const DECORATED_TESTS = `import functools
import unittest
from unittest import mock

import pytest

from shapes import rectangle_area, square_area, triangle_area


def logged(test):
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return test(*args, **kwargs)

    return wrapper


@mock.patch("builtins.print")
def test_rectangle_area(fake_print):
    assert rectangle_area(3, 4) == 12


@logged
def test_triangle_area():
    assert triangle_area(6, 4) == pytest.approx(12)


def plain(test):
    # No functools.wraps: the test runs as "inner", collected under its own name.
    def inner(*args, **kwargs):
        return test(*args, **kwargs)

    return inner


@plain
def test_square_plain():
    assert square_area(2) == 4


def _make(side):
    def check():
        assert square_area(side) == side * side

    return check


test_square_made = _make(3)


class TestStatic:
    @staticmethod
    def test_static():
        assert rectangle_area(2, 5) == 10


class ShapesCase(unittest.TestCase):
    @unittest.skipIf(False, "never skipped")
    def test_square_area(self):
        self.assertEqual(square_area(5), 25)

    def test_negative_sides_are_rejected(self):
        with self.assertRaises(ValueError):
            rectangle_area(-1, 2)
`;
const DECORATED_EXPECTED = [
  { suite: "tests.test_shapes", name: "test_rectangle_area" },
  { suite: "tests.test_shapes", name: "test_triangle_area" },
  { suite: "tests.test_shapes.ShapesCase", name: "test_square_area" },
  { suite: "tests.test_shapes.ShapesCase", name: "test_negative_sides_are_rejected" },
  { suite: "tests.test_shapes", name: "test_square_plain" },
  { suite: "tests.test_shapes", name: "test_square_made" },
  { suite: "tests.test_shapes.TestStatic", name: "test_static" },
];
// --runxfail turns pytest.xfail() into a no-op (pytest's skipping plugin swaps it at configure time): kept so.
const PYTHON_RUNXFAIL = "python-runxfail-dev";
// The sample's test module with a pytest.xfail() call where --runxfail makes it do nothing.
const RUNXFAIL_EDITS: PolicyPit["edits"] = {
  "tests/test_shapes.py": [["def test_square_area():\n", 'def test_square_area():\n    pytest.xfail("runs all the same under --runxfail")\n']],
};

const CASES: [pit: string, source: string, score: number][] = [
  ...["plain", "dataclasses", "functional", "abstract", "enum-memo"].map((s): [string, string, number] => [PYTHON_LEGIT, path.join(FIXTURES, "python", "solutions", s), 100]),
  // typing.NamedTuple equals a plain tuple: the strict test catches it, and only it.
  [PYTHON_LEGIT, path.join(FIXTURES, "python", "solutions", "namedtuple-partial"), 80],
  ...["classes", "esm", "prototypes", "private-fields", "functional"].map((s): [string, string, number] => [NODE_LEGIT, path.join(FIXTURES, "node", "solutions", s), 100]),
  [NODE_LEGIT, path.join(FIXTURES, "node", "solutions", "equals-partial"), 80],
  [PYTHON_PIT, path.join(SAMPLES_DIR, PYTHON_PIT, "passing"), 100],
  [PYTHON_DECORATED, path.join(SAMPLES_DIR, PYTHON_PIT, "passing"), 100],
  [PYTHON_DECORATED, path.join(SAMPLES_DIR, PYTHON_PIT, "partial"), 71.43],
  [PYTHON_RUNXFAIL, path.join(SAMPLES_DIR, PYTHON_PIT, "passing"), 100],
  [NODE_PIT, path.join(SAMPLES_DIR, NODE_PIT, "passing"), 100],
];

let h: Harness;
let pits: Awaited<ReturnType<typeof writePolicyPits>>;
const rows = new Map<string, Awaited<ReturnType<Harness["api"]["waitForFinal"]>>>();

beforeAll(async () => {
  pits = await writePolicyPits([
    { pitId: PYTHON_PIT, base: PYTHON_PIT },
    { pitId: NODE_PIT, base: NODE_PIT },
    { pitId: PYTHON_DECORATED, base: PYTHON_PIT, config: { expectedTests: DECORATED_EXPECTED }, files: { "tests/test_shapes.py": DECORATED_TESTS } },
    {
      pitId: PYTHON_RUNXFAIL,
      base: PYTHON_PIT,
      config: { testCommand: "/usr/bin/python3 -m pytest -p no:cacheprovider --runxfail --junitxml=reports/junit.xml tests" },
      edits: RUNXFAIL_EDITS,
    },
    {
      pitId: PYTHON_LEGIT,
      templateDir: path.join(FIXTURES, "python", "pit"),
      config: {
        language: "python",
        buildTool: "pytest",
        testCommand: "/usr/bin/python3 -m pytest -p no:cacheprovider --junitxml=reports/junit.xml tests",
        maxTimeoutMs: 60_000,
        environment: { PYTHONDONTWRITEBYTECODE: "1" },
        requiredFiles: ["solution.py"],
      },
    },
    {
      pitId: NODE_LEGIT,
      templateDir: path.join(FIXTURES, "node", "pit"),
      config: {
        language: "javascript",
        buildTool: "node",
        setupCommands: ["mkdir -p reports"],
        testCommand:
          "node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=reports/junit.xml",
        maxTimeoutMs: 30_000,
      },
    },
  ]);
  h = await startHarness();
  h.startRunner({ RUNNER_PITS_DIR: pits.dir, RUNNER_CONCURRENCY: "2", RUNNER_SANDBOX: "uid" });
  const submitted = await Promise.all(CASES.map(async ([pitId, source]) => ({ key: `${pitId}:${source}`, ...(await h.api.submit({ pitId, source })) })));
  await Promise.all(submitted.map(async ({ key, submissionId }) => rows.set(key, await h.api.waitForFinal(submissionId, 170_000))));
}, 180_000);
afterAll(async () => {
  await h?.stop();
  await pits?.remove();
});

describe.each(CASES)("%s / %s", (pit, source, score) => {
  it(`is DONE with exactly ${score}`, () => {
    const row = rows.get(`${pit}:${source}`);
    const feedback = row?.feedback as { outcome: string; message: string };
    expect({ status: row?.status, score: Number(row?.score), message: feedback.message }).toEqual({ status: "DONE", score, message: expect.any(String) });
    expect(feedback.outcome).toBe(score === 100 ? "passed" : "failed");
  });
});
