import { XMLParser } from "fast-xml-parser";
import type { TestStatus } from "./feedback";

/** One `<testcase>` as the report gave it, before any cleaning for the student. */
export interface ParsedTestCase {
  name: string;
  suite: string | null;
  status: TestStatus;
  durationMs: number | null;
  /** The failure's message attribute, or the start of its text when the attribute is empty. */
  message: string | null;
  /** The test file itself could not be loaded (pytest collection error, node file-level failure). */
  loadFailure: boolean;
}

type XmlNode = Record<string, unknown>;

// Only the elements we walk are forced to arrays; `properties` is never read, so Surefire's
// system properties (paths, user names, JVM flags) cannot leak into feedback.
const ARRAY_ELEMENTS = new Set(["testsuites", "testsuite", "testcase", "failure", "error", "skipped"]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: "#text",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // pytest writes newlines in attributes as `&#10;`, which only the HTML entity table decodes.
  htmlEntities: true,
  isArray: (name) => ARRAY_ELEMENTS.has(name),
});

export class ReportParseError extends Error {}

function asArray(value: unknown): XmlNode[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => (typeof v === "object" && v !== null ? (v as XmlNode) : { "#text": String(v) }));
}

function attr(node: XmlNode, name: string): string | null {
  const v = node[`@${name}`];
  return typeof v === "string" ? v : null;
}

function text(node: XmlNode): string {
  const v = node["#text"];
  return typeof v === "string" ? v : "";
}

function seconds(value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value.replace(/,/g, ""));
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 1000) : null;
}

/**
 * node's reporter flattens the assertion message into the attribute ("one plus one2 !== 3"), so its
 * body is the better source: `[Error [ERR_TEST_FAILURE]: <message>] { code: ... }`.
 */
function nodeBodyMessage(body: string): string | null {
  const match = /^\s*\[?Error \[ERR_TEST_FAILURE\]: ([\s\S]*?)\]? \{\s*\n?\s*code: 'ERR_TEST_FAILURE'/.exec(body);
  if (!match?.[1]) return null;
  return match[1]
    .split("\n")
    .filter((line) => !/^\s+at /.test(line))
    .join("\n")
    .trim();
}

function problemMessage(problem: XmlNode): string | null {
  const body = text(problem);
  const fromBody = nodeBodyMessage(body);
  if (fromBody) return fromBody;
  const message = attr(problem, "message")?.trim();
  if (message) return message;
  const firstLines = body.trim().split("\n").slice(0, 5).join("\n").trim();
  return firstLines || attr(problem, "type");
}

function isLoadFailure(name: string, suite: string | null, status: TestStatus, message: string | null): boolean {
  if (status !== "error" && status !== "failed") return false;
  if (message === "collection failure") return true; // pytest
  // node names a test file that failed to load by its path, with the bare message "test failed".
  return message === "test failed" && suite === null && /\.[cm]?[jt]s$/.test(name);
}

/** node's reporter writes the constant classname "test"; its describe blocks are the nested suites. */
const NODE_CLASSNAME = "test";

function readCase(node: XmlNode, suitePath: string[]): ParsedTestCase {
  const name = attr(node, "name") ?? "(unnamed test)";
  const classname = attr(node, "classname");
  const fromSuites = suitePath.length > 0 ? suitePath.join(" > ") : null;
  const suite = classname && classname !== NODE_CLASSNAME ? classname : fromSuites;
  const failure = asArray(node.failure)[0];
  const error = asArray(node.error)[0];
  const skipped = asArray(node.skipped)[0];
  let status: TestStatus = "passed";
  let problem: XmlNode | undefined;
  if (error) {
    status = "error";
    problem = error;
  } else if (failure) {
    status = "failed";
    problem = failure;
  } else if (skipped) {
    status = "skipped";
    problem = skipped;
  }
  const message = problem ? problemMessage(problem) : null;
  return {
    name,
    suite,
    status,
    durationMs: seconds(attr(node, "time")),
    message,
    loadFailure: isLoadFailure(name, suite, status, message),
  };
}

function walkSuite(node: XmlNode, path: string[], into: ParsedTestCase[], maxCases: number): void {
  for (const tc of asArray(node.testcase)) {
    if (into.length >= maxCases) return;
    into.push(readCase(tc, path));
  }
  for (const child of asArray(node.testsuite)) {
    walkSuite(child, [...path, attr(child, "name") ?? "(unnamed suite)"], into, maxCases);
  }
}

/**
 * Reads a JUnit XML report as Surefire, pytest and node write it: a `<testsuite>` or `<testsuites>`
 * root, suites nested at any depth, and (node) testcases straight under `<testsuites>`.
 */
export function parseJUnitXml(xml: string, maxCases = 5000): ParsedTestCase[] {
  let doc: XmlNode;
  try {
    doc = parser.parse(xml, true) as XmlNode;
  } catch (error) {
    throw new ReportParseError(`not well-formed XML: ${(error as Error).message}`, { cause: error });
  }
  const roots = [...asArray(doc.testsuites), ...asArray(doc.testsuite)];
  if (roots.length === 0) throw new ReportParseError("no <testsuites> or <testsuite> root element");
  const cases: ParsedTestCase[] = [];
  // The roots' own names (pytest's "pytest", a Surefire class name) add nothing a classname lacks.
  for (const root of roots) walkSuite(root, [], cases, maxCases);
  return cases;
}
