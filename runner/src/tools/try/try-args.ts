import { parseArgs } from "node:util";
import { CliError } from "../cli-error";

export interface TryArgs {
  pitId: string;
  /** A ZIP file, or a folder zipped first so it goes through the same extraction as an upload. */
  submission: string;
  pitsDir: string | undefined;
  /** Print the whole test output, not only its tail when something failed. */
  output: boolean;
  /** Leave the workspace on disk to look at reports and build files. */
  keep: boolean;
  verbose: boolean;
  /** Print only the row's result as JSON (status, score, feedback), for scripts. */
  json: boolean;
  /** The submission is the reference solution: record the tests it ran as the PIT's expected tests. */
  record: boolean;
}

export const TRY_USAGE = `Usage: npm run try:pit -- <pitId> <submission.zip | submission-folder> [--pitsDir=<dir>] [--record] [--output] [--keep] [--verbose] [--json]

Grades one submission locally with the runner's own stages (load PIT, extract, prepare, run, grade),
without SQS, S3 or a database. Exit code 0 when it graded (whatever the score), 1 when it could not,
2 on a usage error.

  --pitsDir   where PITs live; default runner/pits
  --record    the submission is your reference solution: it must pass every test; the tests it ran are written
              into the PIT as expectedTests (and those it skipped as disabledTests). Only these then count.
  --output    print the whole test output (by default only its last lines, and only when not every test passed)
  --keep      keep the workspace folder and print where it is
  --verbose   print the runner's stage logs on stderr
  --json      print only { status, score, feedback } as the submission row would hold them`;

export function parseTryArgs(argv: string[]): TryArgs | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        pitsDir: { type: "string" },
        output: { type: "boolean" },
        keep: { type: "boolean" },
        verbose: { type: "boolean" },
        json: { type: "boolean" },
        record: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${TRY_USAGE}`, 2, { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const [pitId, submission] = positionals;
  if (positionals.length !== 2 || !pitId || !submission) {
    throw new CliError(`Expected a PIT id and a submission, got ${positionals.length} argument(s).\n\n${TRY_USAGE}`, 2);
  }
  if (values.pitsDir === "") throw new CliError("--pitsDir must not be empty", 2);
  return {
    pitId,
    submission,
    pitsDir: values.pitsDir,
    output: values.output === true,
    keep: values.keep === true,
    verbose: values.verbose === true,
    json: values.json === true,
    record: values.record === true,
  };
}
