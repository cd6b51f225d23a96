// `npm run try:pit -- <pitId> <zip-or-folder>`: grades one submission locally (see runner/PIT-CONFIGS.md).
import path from "node:path";
import { RUNNER_ROOT } from "../config";
import { createLogger } from "../logging/logger";
import { PitConfigService } from "../pit-config/pit-config.service";
import { runCli } from "./cli-error";
import { formatTryReport } from "./try/format-report";
import { expectationFrom, recordExpectedTests } from "./try/record-tests";
import { parseTryArgs, TRY_USAGE } from "./try/try-args";
import { trySubmission } from "./try/try-submission";

async function main(argv: string[]): Promise<number> {
  const args = parseTryArgs(argv);
  if (args === "help") {
    console.log(TRY_USAGE);
    return 0;
  }
  // npm runs scripts from runner/; INIT_CWD is where the instructor typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const pitsDir = args.pitsDir ? path.resolve(cwd, args.pitsDir) : path.join(RUNNER_ROOT, "pits");
  // Stage logs go to stderr so stdout stays the report.
  const log = createLogger(args.verbose ? "info" : "silent", process.stderr);
  const abort = new AbortController();
  const pits = new PitConfigService(pitsDir);
  // Ctrl-C kills the test run's process group instead of leaving it behind.
  process.once("SIGINT", () => abort.abort());
  const result = await trySubmission(args.pitId, path.resolve(cwd, args.submission), {
    pits,
    log,
    keep: args.keep,
    signal: abort.signal,
    ignoreRecordedTests: args.record,
  });
  if (args.json) {
    const { status, score, feedback } = result.grade;
    console.log(JSON.stringify({ status, score, feedback }, null, 2));
  } else {
    console.log(formatTryReport(result, { showOutput: args.output }).join("\n"));
  }
  if (args.keep) console.log(`\nWorkspace kept at ${result.workspace}`);
  if (!result.graded) return 1;
  if (args.record) {
    const recorded = expectationFrom(result.counted ?? []);
    const file = await recordExpectedTests(pits, args.pitId, recorded);
    const disabled = recorded.disabledTests.length > 0 ? ` (${recorded.disabledTests.length} disabled)` : "";
    console.log(`\nRecorded ${recorded.expectedTests.length} expected tests${disabled} in ${file}.`);
  }
  return 0;
}

runCli("try:pit", main);
