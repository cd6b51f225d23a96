import { readFile, writeFile } from "node:fs/promises";
import type { TestRef } from "../../grading/counted-tests";
import type { ParsedTestCase } from "../../grading/junit-xml";
import type { PitConfigService } from "../../pit-config/pit-config.service";
import { CliError } from "../cli-error";
import { renderPitJson } from "../generator/pit-draft";

export interface Recorded {
  expectedTests: TestRef[];
  disabledTests: TestRef[];
}

const label = (t: TestRef) => (t.suite ? `${t.suite} > ${t.name}` : t.name);

/**
 * The expected tests are every test of the template's that the reference solution ran; those it skipped are the
 * ones the instructor disabled. A reference that fails any test is not a reference: nothing is recorded.
 */
export function expectationFrom(tests: ParsedTestCase[]): Recorded {
  const failing = tests.filter((t) => t.status === "failed" || t.status === "error");
  if (failing.length > 0) {
    const names = failing.slice(0, 5).map(label).join(", ");
    throw new CliError(`Not recorded: the reference solution does not pass ${failing.length} test(s): ${names}. Fix the solution or the tests first.`, 1);
  }
  if (tests.length === 0) throw new CliError("Not recorded: the reference run reported no test of the template.", 1);
  const ref = ({ suite, name }: TestRef): TestRef => ({ suite, name });
  return { expectedTests: tests.map(ref), disabledTests: tests.filter((t) => t.status === "skipped").map(ref) };
}

/** Writes the lists into `<pitsDir>/<pitId>.json`, keeping every other field as it was; returns the file. */
export async function recordExpectedTests(pits: PitConfigService, pitId: string, recorded: Recorded): Promise<string> {
  const file = pits.configPath(pitId);
  const config = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  config.expectedTests = recorded.expectedTests;
  if (recorded.disabledTests.length > 0) config.disabledTests = recorded.disabledTests;
  else delete config.disabledTests;
  await writeFile(file, renderPitJson(config as never));
  // Loaded again so a recording that the schema would refuse is caught here, not by the first student.
  await pits.load(pitId);
  return file;
}
