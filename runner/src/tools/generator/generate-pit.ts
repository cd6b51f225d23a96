import path from "node:path";
import type { PitConfig } from "../../pit-config/interfaces/pit-config.interface";
import { CliError } from "../cli-error";
import type { GeneratorArgs } from "./generator-args";
import { askForPit, type Prompter } from "./interactive";
import { buildPitConfig } from "./pit-draft";
import { SCAFFOLD_BUILD_TOOLS, scaffoldFiles, writeScaffold } from "./scaffold";
import { pathExists, pitConfigPath, writePitConfig } from "./write-pit";

export interface GeneratedPit {
  pitId: string;
  config: PitConfig;
  file: string;
  overwritten: boolean;
  warnings: string[];
  template?: { dir: string; created: string[]; kept: string[] };
}

export type GenerateOutcome = { written: true; pit: GeneratedPit } | { written: false; reason: string };

/**
 * Turns flags or answers into `<pitsDir>/<pitId>.json` (and optionally its template folder).
 * Every check happens before the first write, so a refused run leaves the folder untouched.
 */
export async function generatePit(args: GeneratorArgs, pitsDir: string, prompter: Prompter | undefined): Promise<GenerateOutcome> {
  let draft = args.draft;
  let overwrite = args.force;
  let scaffold = args.scaffold ?? false;
  if (args.interactive) {
    if (!prompter) throw new Error("interactive mode needs a prompter");
    const answers = await askForPit(prompter, {
      initial: args.draft,
      scaffold: args.scaffold,
      force: args.force,
      configPath: (pitId) => pitConfigPath(pitsDir, pitId),
      exists: pathExists,
    });
    if (answers.cancelled) return { written: false, reason: answers.reason };
    ({ draft, overwrite, scaffold } = answers);
  }

  const built = buildPitConfig(draft);
  if (!built.ok) {
    throw new CliError(built.problems.map((p) => `--${p.field} ${p.message}`).join("\n"), 2);
  }
  const files = scaffold ? scaffoldFiles(built.config.buildTool) : undefined;
  if (scaffold && !files) {
    throw new CliError(
      `--scaffold has no template for buildTool "${built.config.buildTool}" (known: ${SCAFFOLD_BUILD_TOOLS.join(", ")})`,
      2,
    );
  }
  const target = pitConfigPath(pitsDir, built.pitId);
  const existed = await pathExists(target);
  if (existed && !overwrite) {
    throw new CliError(`PIT "${built.pitId}" already exists at ${target}; pass --force to overwrite it.`, 1);
  }

  const file = await writePitConfig(pitsDir, built.pitId, built.config, { overwrite });
  const pit: GeneratedPit = { pitId: built.pitId, config: built.config, file, overwritten: existed, warnings: built.warnings };
  if (files) {
    const dir = path.join(pitsDir, built.pitId);
    pit.template = { dir, ...(await writeScaffold(dir, files)) };
  }
  return { written: true, pit };
}

function shown(p: string): string {
  const relative = path.relative(process.cwd(), p);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : p;
}

/** The short report printed after a write: what was created and what to do next. */
export function describeGenerated(pit: GeneratedPit): string[] {
  const lines = [
    `${pit.overwritten ? "Overwrote" : "Created"} PIT ${pit.pitId}`,
    `  id:           ${pit.pitId}`,
    `  path:         ${shown(pit.file)}`,
    `  test command: ${pit.config.testCommand}`,
    `  timeout:      ${pit.config.maxTimeoutMs} ms`,
  ];
  if (pit.template) {
    const created = pit.template.created.length ? pit.template.created.join(", ") : "nothing new";
    lines.push(`  template:     ${shown(pit.template.dir)}/ (created: ${created}${pit.template.kept.length ? `; kept existing: ${pit.template.kept.join(", ")}` : ""})`);
  }
  lines.push(
    "",
    "Next: put the instructor's tests in the template folder, then check a reference solution scores 100:",
    `  npm run try:pit -- ${pit.pitId} <folder-or-zip>`,
  );
  return lines;
}
