import { parseArgs } from "node:util";
import { CliError } from "../cli-error";
import type { PitDraft } from "./pit-draft";

export interface GeneratorArgs {
  interactive: boolean;
  draft: PitDraft;
  force: boolean;
  /** Undefined: ask in interactive mode, do not scaffold otherwise. */
  scaffold: boolean | undefined;
  pitsDir: string | undefined;
  help: boolean;
}

const CONFIG_FLAGS = ["id", "language", "buildTool", "testCommand", "maxTimeoutMs", "setupCommands", "requiredFiles", "studentFiles"] as const;

export const GENERATOR_USAGE = `Usage:
  npm run generate:pit                      (interactive: asks for every field)
  npm run generate:pit -- --id=<pitId> [--language=java] [--buildTool=maven] [--testCommand="mvn -q test"]
                          [--maxTimeoutMs=60000] [--setupCommands="a,b"] [--requiredFiles="x,y"] [--studentFiles="g1,g2"]
                          [--scaffold] [--force] [--pitsDir=<dir>]

  --id             PIT id, also the file name: pits/<id>.json (a-z, 0-9, '.', '_', '-')
  --language       java | python | javascript (others accepted with a warning); default java
  --buildTool      maven | pytest | node | npm (others accepted with a warning); default from the language
  --testCommand    command run in the workspace; default from the build tool
  --maxTimeoutMs   time limit of a run in ms; default 60000
  --setupCommands  comma-separated commands run before the tests; default none
  --requiredFiles  comma-separated paths a submission must contain; default none
  --studentFiles   comma-separated globs of what a submission may contribute (the rest is ignored);
                   default per build tool: maven src/main/**, pytest *.py and data files, node *.js and data files.
                   Build and test configuration, tests and binaries are never taken, whatever this says
  --scaffold       also create the template folder pits/<id>/ with a build file and a test skeleton
  --force          overwrite an existing pits/<id>.json (template files that exist are kept)
  --pitsDir        where PITs live; default runner/pits
  --interactive    ask even though flags are given (flags become the suggested answers)`;

/**
 * Any config flag or --force means "no prompts", so a script never blocks on a question;
 * --pitsDir and --scaffold alone keep the interactive mode.
 */
export function parseGeneratorArgs(argv: string[]): GeneratorArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(CONFIG_FLAGS.map((flag) => [flag, { type: "string" as const }])),
        force: { type: "boolean" },
        scaffold: { type: "boolean" },
        interactive: { type: "boolean" },
        pitsDir: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${GENERATOR_USAGE}`, 2, { cause: error });
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const draft: PitDraft = {};
  for (const flag of CONFIG_FLAGS) {
    const value = values[flag];
    if (typeof value === "string") draft[flag] = value;
  }
  const anyConfigFlag = Object.keys(draft).length > 0 || values.force === true;
  if (values.pitsDir === "") throw new CliError("--pitsDir must not be empty", 2);
  return {
    interactive: values.interactive === true || !anyConfigFlag,
    draft,
    force: values.force === true,
    scaffold: values.scaffold === true ? true : undefined,
    pitsDir: typeof values.pitsDir === "string" ? values.pitsDir : undefined,
    help: values.help === true,
  };
}
