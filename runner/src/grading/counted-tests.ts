import type { TestStatus } from "./feedback";
import type { ParsedTestCase } from "./junit-xml";

/** A test as its report names it (PitConfig.expectedTests). */
export interface TestRef {
  suite: string | null;
  name: string;
}

/** Which tests count (../shared/CONTRACT.md §4). */
export interface TestExpectation {
  /** Recorded from the reference solution; without it only the template's own tests count. */
  expected?: TestRef[];
  /** Expected tests the instructor disabled: never counted. */
  disabled?: TestRef[];
  /** Without a recorded list: whether a reported test comes from one of the template's test files. */
  isTemplateTest: (test: TestRef) => boolean;
}

export interface CountedTests {
  /** The tests that make the score, in the expected order; an expected test that never ran is here as an error. */
  counted: ParsedTestCase[];
  /** Tests that ran but that the PIT does not expect: listed for the student, never scored. */
  notGraded: ParsedTestCase[];
  /** How many expected tests had no result at all. */
  missing: number;
  /** Whether at least one counted test actually reported a result. */
  ranAny: boolean;
}

export const DID_NOT_RUN = "This test did not run: the test run ended before it, or it was not found.";

export function isDidNotRun(c: ParsedTestCase): boolean {
  return c.status === "error" && c.durationMs === null && c.message === DID_NOT_RUN;
}

const key = (t: TestRef) => `${t.suite ?? ""}\u0000${t.name}`;

// A test reported twice (a second report, a forged one) keeps its worst result: a duplicate cannot turn a failure into a pass.
const SEVERITY: Record<TestStatus, number> = { passed: 0, skipped: 1, failed: 2, error: 3 };

function worstByTest(cases: ParsedTestCase[]): Map<string, ParsedTestCase> {
  const byTest = new Map<string, ParsedTestCase>();
  for (const c of cases) {
    const seen = byTest.get(key(c));
    if (!seen || SEVERITY[c.status] > SEVERITY[seen.status]) byTest.set(key(c), c);
  }
  return byTest;
}

function didNotRun(ref: TestRef): ParsedTestCase {
  return { suite: ref.suite, name: ref.name, status: "error", durationMs: null, message: DID_NOT_RUN, loadFailure: false };
}

/**
 * Splits the reported tests into those that count and those that do not. With a recorded list the counted tests
 * are exactly the expected ones minus the disabled ones, whatever ran; without one, the template's own tests.
 */
export function selectCountedTests(cases: ParsedTestCase[], expectation: TestExpectation): CountedTests {
  const byTest = worstByTest(cases);
  if (expectation.expected) {
    const disabled = new Set((expectation.disabled ?? []).map(key));
    const wanted = expectation.expected.filter((t) => !disabled.has(key(t)));
    const wantedKeys = new Set(wanted.map(key));
    const counted = wanted.map((ref) => byTest.get(key(ref)) ?? didNotRun(ref));
    const missing = wanted.filter((ref) => !byTest.has(key(ref))).length;
    const notGraded = [...byTest.values()].filter((c) => !wantedKeys.has(key(c)) && !disabled.has(key(c)));
    return { counted, notGraded, missing, ranAny: missing < wanted.length };
  }
  const all = [...byTest.values()];
  const counted = all.filter((c) => expectation.isTemplateTest(c));
  return { counted, notGraded: all.filter((c) => !expectation.isTemplateTest(c)), missing: 0, ranAny: counted.length > 0 };
}

/**
 * Without a recorded list: a report's suite names the test's source file, by build tool. Maven's is the class
 * (`dev.dummy.BankAccountTest`, nested `$Inner`) under src/test/java; pytest's the dotted module path
 * (`tests.test_shapes`, or `tests.test_shapes.TestClass`). node's JUnit reporter names no file: every test counts,
 * which is safe because admission keeps every student test file out of the workspace.
 */
export function templateTestMatcher(buildTool: string, templateFiles: readonly string[]): (test: TestRef) => boolean {
  const files = new Set(templateFiles);
  switch (buildTool) {
    case "maven":
    case "gradle":
      return ({ suite }) => {
        if (!suite) return false;
        const source = `${suite.replace(/\$.*$/, "").replace(/\./g, "/")}.java`;
        return templateFiles.some((f) => f === source || f.endsWith(`/${source}`));
      };
    case "pytest":
      // A module that failed to collect is reported with no class and the module's dotted path as its name.
      return ({ suite, name }) => {
        const parts = (suite ?? name).split(".");
        for (let i = parts.length; i > 0; i--) if (files.has(`${parts.slice(0, i).join("/")}.py`)) return true;
        return false;
      };
    default:
      return () => true;
  }
}
