// `npm run generate:pit`: creates runner/pits/<pitId>.json from prompts or flags (see runner/PIT-CONFIGS.md).
import path from "node:path";
import { RUNNER_ROOT } from "../config";
import { runCli } from "./cli-error";
import { describeGenerated, generatePit } from "./generator/generate-pit";
import { GENERATOR_USAGE, parseGeneratorArgs } from "./generator/generator-args";
import { createLinePrompter } from "./generator/line-prompter";

async function main(argv: string[]): Promise<number> {
  const args = parseGeneratorArgs(argv);
  if (args.help) {
    console.log(GENERATOR_USAGE);
    return 0;
  }
  // npm runs scripts from runner/; INIT_CWD is where the instructor typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const pitsDir = args.pitsDir ? path.resolve(cwd, args.pitsDir) : path.join(RUNNER_ROOT, "pits");
  const prompter = args.interactive ? createLinePrompter(process.stdin, process.stdout, process.stderr) : undefined;
  try {
    const outcome = await generatePit(args, pitsDir, prompter);
    if (!outcome.written) {
      console.error(outcome.reason);
      return 1;
    }
    // Interactive mode warned as the answers came in.
    if (!args.interactive) for (const warning of outcome.pit.warnings) console.error(`Warning: ${warning}`);
    console.log(describeGenerated(outcome.pit).join("\n"));
    return 0;
  } finally {
    prompter?.close();
  }
}

runCli("generate:pit", main);
