import { SUPPORTED_BUILD_TOOLS, SUPPORTED_LANGUAGES } from "../../pit-config/pit-config.schema";
import { DEFAULT_LANGUAGE, DEFAULT_TIMEOUT_MS, defaultBuildTool, defaultStudentFiles, defaultTestCommand } from "./defaults";
import { buildToolWarning, languageWarning, parseField, pitIdWarning, type DraftField, type PitDraft } from "./pit-draft";
import { scaffoldFiles } from "./scaffold";

/** The terminal, as the questions see it; tests pass a scripted one. */
export interface Prompter {
  /** Resolves with the answer line; rejects when the input ends. */
  ask(question: string): Promise<string>;
  say(line: string): void;
  warn(line: string): void;
}

export interface InteractiveOptions {
  /** Answers given as flags, offered as the defaults. */
  initial: PitDraft;
  scaffold: boolean | undefined;
  /** --force: replace an existing PIT without asking. */
  force: boolean;
  /** Where the config file of a PIT id would go, for the overwrite question. */
  configPath(pitId: string): string;
  exists(file: string): Promise<boolean>;
}

export type InteractiveResult =
  | { cancelled: false; draft: PitDraft; overwrite: boolean; scaffold: boolean }
  | { cancelled: true; reason: string };

export async function askYesNo(prompter: Prompter, question: string, fallback: boolean): Promise<boolean> {
  for (;;) {
    const answer = (await prompter.ask(`${question} ${fallback ? "[Y/n]" : "[y/N]"} `)).trim().toLowerCase();
    if (answer === "") return fallback;
    if (answer === "y" || answer === "yes") return true;
    if (answer === "n" || answer === "no") return false;
    prompter.warn("Please answer y or n.");
  }
}

/** Asks until the answer parses; an empty answer takes the default when there is one. */
async function askField(prompter: Prompter, field: DraftField, label: string, fallback: string | undefined): Promise<string> {
  for (;;) {
    const shown = fallback ? ` [${fallback}]` : "";
    const answer = await prompter.ask(`${label}${shown}: `);
    const text = answer.trim() === "" && fallback !== undefined ? fallback : answer;
    const parsed = parseField(field, text);
    if (!("problem" in parsed)) return text.trim();
    prompter.warn(`${field} ${parsed.problem}`);
  }
}

/** The question-and-answer flow of `npm run generate:pit`; every answer is validated as it is given. */
export async function askForPit(prompter: Prompter, options: InteractiveOptions): Promise<InteractiveResult> {
  const { initial } = options;
  prompter.say("Create a PIT config. Press Enter to accept the value in [brackets].");

  const id = await askField(prompter, "id", "PIT id, e.g. java-maven-bank-account-v1", initial.id);
  const idNote = pitIdWarning(id);
  if (idNote) prompter.warn(`Warning: ${idNote}`);
  const file = options.configPath(id);
  let overwrite = options.force;
  if (!overwrite && (await options.exists(file))) {
    overwrite = await askYesNo(prompter, `${file} already exists. Overwrite it?`, false);
    if (!overwrite) return { cancelled: true, reason: `Nothing written: ${file} was left as it is.` };
  }

  const language = await askField(prompter, "language", `Language (${SUPPORTED_LANGUAGES.join(", ")})`, initial.language ?? DEFAULT_LANGUAGE);
  const languageNote = languageWarning(language);
  if (languageNote) prompter.warn(`Warning: ${languageNote}`);

  const buildTool = await askField(
    prompter,
    "buildTool",
    `Build tool (${SUPPORTED_BUILD_TOOLS.join(", ")})`,
    initial.buildTool ?? defaultBuildTool(language),
  );
  const buildToolNote = buildToolWarning(buildTool);
  if (buildToolNote) prompter.warn(`Warning: ${buildToolNote}`);

  const testCommand = await askField(prompter, "testCommand", "Test command", initial.testCommand ?? defaultTestCommand(buildTool));
  const maxTimeoutMs = await askField(prompter, "maxTimeoutMs", "Time limit in ms", initial.maxTimeoutMs ?? String(DEFAULT_TIMEOUT_MS));
  const setupCommands = await askField(
    prompter,
    "setupCommands",
    "Setup commands run before the tests, comma-separated (Enter for none)",
    initial.setupCommands ?? "",
  );
  const requiredFiles = await askField(
    prompter,
    "requiredFiles",
    "Files every submission must contain, comma-separated (Enter for none)",
    initial.requiredFiles ?? "",
  );

  const studentFiles = await askField(
    prompter,
    "studentFiles",
    "What a submission may contribute, comma-separated globs (everything else is ignored)",
    initial.studentFiles ?? defaultStudentFiles(buildTool),
  );

  let scaffold = options.scaffold ?? false;
  if (options.scaffold === undefined && scaffoldFiles(buildTool)) {
    scaffold = await askYesNo(prompter, `Create the template folder ${id}/ with a ${buildTool} test skeleton?`, true);
  }

  return {
    cancelled: false,
    draft: { id, language, buildTool, testCommand, maxTimeoutMs, setupCommands, requiredFiles, studentFiles },
    overwrite,
    scaffold,
  };
}
