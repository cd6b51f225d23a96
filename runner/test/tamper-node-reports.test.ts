import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE_PIT, sampleFile, writePolicyPits, writeSubmission } from "./helpers/code-policy-pits";
import { startHarness, type Harness } from "./helpers/harness";
import { expectationTitle, expectTamperOutcome, type Expected } from "./helpers/tamper-outcome";

/**
 * A Node solution that replaces the JUnit report the runner grades (the reviewer's attack: at load time it renames
 * reports/junit.xml, which node's reporter goes on writing through its open descriptor, and writes a fake in its
 * place). Each attack is appended to the sample's PARTIAL solution (honest score 66.67) and must end ERROR
 * invalid_submission naming the file and the API (the static check), or DONE with exactly 66.67 on the
 * `node-runtime` PIT, whose codePolicy.allow lets the fs writes through the static check, so that only the
 * preload's report-folder guard stands in the way.
 */

const FAKE_XML =
  "<testsuites>" +
  ["add sums two numbers", "subtract takes the second from the first", "multiply multiplies two numbers"].map((name) => `<testcase name="${name}"/>`).join("") +
  "</testsuites>";
const FAKE = JSON.stringify(FAKE_XML);

const ATTACKS: Record<string, string> = {
  // The reviewer's: members read straight off require("fs"), which the check did not resolve.
  rename: `try {\n  require("fs").renameSync("reports/junit.xml", "reports/.real");\n  require("fs").writeFileSync("reports/junit.xml", ${FAKE});\n} catch {}\n`,
  write: `try {\n  require("fs").writeFileSync("reports/junit.xml", ${FAKE});\n} catch {}\n`,
  importThen: `import("node:fs").then((m) => {\n  m.renameSync("reports/junit.xml", "reports/.real");\n  m.writeFileSync("reports/junit.xml", ${FAKE});\n}).catch(() => {});\n`,
  // Through a link to the folder and a path with "..": the guard compares where fs would act, not the spelling.
  symlink: `try {\n  const fs = require("fs");\n  fs.symlinkSync("reports", "r2");\n  fs.renameSync("r2/../r2/junit.xml", "r2/.real");\n  fs.writeFileSync("./r2/junit.xml", ${FAKE});\n} catch {}\n`,
  // The patched functions cannot be put back: not from fs.promises, not by assignment or defineProperty.
  restore: `try {\n  const fs = require("fs");\n  const { writeFile } = require("fs").promises;\n  try { Object.defineProperty(fs, "renameSync", { value: () => {} }); } catch {}\n  fs.writeFileSync = () => {};\n  fs.renameSync("reports/junit.xml", "reports/.real");\n  writeFile("reports/junit.xml", ${FAKE}).catch(() => {});\n} catch {}\n`,
};

const CASES: [string, Expected][] = [
  ["rename", { api: /calculator\.js:8 uses node:fs\.renameSync/ }],
  ["write", { api: /calculator\.js:8 uses node:fs\.writeFileSync/ }],
  ["importThen", { api: /calculator\.js:8 uses node:fs\.renameSync/ }],
  // The runtime layer alone.
  ["rename", { score: 66.67 }],
  ["write", { score: 66.67 }],
  ["importThen", { score: 66.67 }],
  ["symlink", { score: 66.67 }],
  ["restore", { score: 66.67 }],
];

/** The report folders stay protected at run time whatever the policy allows. */
const RUNTIME_ALLOW = [
  "node:fs.renameSync", "node:fs.writeFileSync", "node:fs.symlinkSync", "node:fs.promises.writeFile", "node:fs[computed]", "write/",
];

let h: Harness;
let scratch: string;
let pits: Awaited<ReturnType<typeof writePolicyPits>>;
type Row = Awaited<ReturnType<Harness["api"]["waitForFinal"]>> | undefined;
const rows = new Map<string, Row>();
const keyOf = (attack: string, expected: Expected) => `${attack}-${"api" in expected ? "static" : "runtime"}`;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "tamper-node-reports-"));
  pits = await writePolicyPits([
    { pitId: "node-runtime", base: NODE_PIT, config: { codePolicy: { allow: RUNTIME_ALLOW } } },
    { pitId: NODE_PIT, base: NODE_PIT },
  ]);
  const partial = await sampleFile(NODE_PIT, "partial", "calculator.js");
  h = await startHarness();
  h.startRunner({ RUNNER_PITS_DIR: pits.dir, RUNNER_CONCURRENCY: "2", RUNNER_SANDBOX: "uid" });
  const submitted = await Promise.all(
    CASES.map(async ([attack, expected]) => {
      const key = keyOf(attack, expected);
      const folder = await writeSubmission(scratch, key, { "calculator.js": `${partial}${ATTACKS[attack]}` });
      return { key, ...(await h.api.submit({ pitId: "api" in expected ? NODE_PIT : "node-runtime", source: folder })) };
    }),
  );
  // A submission that does not finish is that case's failure (rows without it), not the whole file's.
  await Promise.all(submitted.map(async ({ key, submissionId }) => rows.set(key, await h.api.waitForFinal(submissionId, 100_000).catch(() => undefined))));
}, 120_000);
afterAll(async () => {
  await h?.stop();
  await pits?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe.each(CASES)("node / %s", (attack, expected) => {
  it(expectationTitle(expected), () => {
    const row = rows.get(keyOf(attack, expected));
    expect(row?.status, "the submission finished").toMatch(/^(DONE|ERROR)$/);
    expectTamperOutcome(row, expected);
  });
});
