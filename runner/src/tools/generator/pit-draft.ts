import type { z } from "zod";
import type { PitConfig } from "../../pit-config/interfaces/pit-config.interface";
import {
  pitConfigSchema,
  pitIdSchema,
  SUPPORTED_BUILD_TOOLS,
  SUPPORTED_LANGUAGES,
} from "../../pit-config/pit-config.schema";
import { requiredFilesOutside } from "../../admit/required-files";
import { DEFAULT_LANGUAGE, DEFAULT_TIMEOUT_MS, defaultBuildTool, defaultStudentFiles, defaultTestCommand } from "./defaults";

/** What an instructor typed, flag by flag or answer by answer; undefined means "use the default". */
export interface PitDraft {
  id?: string;
  language?: string;
  buildTool?: string;
  testCommand?: string;
  maxTimeoutMs?: string;
  setupCommands?: string;
  requiredFiles?: string;
  studentFiles?: string;
}

export type DraftField = keyof PitDraft;

export interface FieldProblem {
  field: DraftField;
  message: string;
}

export type BuildResult =
  | { ok: true; pitId: string; config: PitConfig; warnings: string[] }
  | { ok: false; problems: FieldProblem[] };

/** The `<language>-<buildTool>-<topic>-v<N>` convention of PIT-CONFIGS.md. */
const CONVENTIONAL_ID = /^[a-z0-9]+-[a-z0-9]+-[a-z0-9][a-z0-9-]*-v[0-9]+$/;

/**
 * "a, b,,c " -> ["a", "b", "c"]: empty items are dropped so a trailing comma is harmless. A comma inside braces
 * belongs to the item (`**\/*.{py,txt}` is one glob).
 */
export function parseList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "{") depth++;
    if (ch === "}") depth = Math.max(0, depth - 1);
    if (ch === "," && depth === 0) {
      items.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}

function firstMessage(result: z.ZodSafeParseResult<unknown>): string | undefined {
  return result.success ? undefined : (result.error.issues[0]?.message ?? "is invalid");
}

/** Parses one answer into the value the config holds, or says what is wrong with it. */
export function parseField(field: DraftField, raw: string): { value: unknown } | { problem: string } {
  const text = raw.trim();
  switch (field) {
    case "id": {
      const problem = text ? firstMessage(pitIdSchema.safeParse(text)) : "is required";
      return problem ? { problem } : { value: text };
    }
    case "maxTimeoutMs": {
      if (!/^[0-9]+$/.test(text)) return { problem: `must be a positive whole number of milliseconds, got ${JSON.stringify(raw)}` };
      const value = Number(text);
      const problem = firstMessage(pitConfigSchema.shape.maxTimeoutMs.safeParse(value));
      return problem ? { problem: `${problem} (got ${text})` } : { value };
    }
    case "setupCommands":
    case "requiredFiles":
    case "studentFiles": {
      const value = parseList(raw);
      const problem = firstMessage(pitConfigSchema.shape[field].safeParse(value));
      return problem ? { problem } : { value };
    }
    default: {
      if (!text) return { problem: "must not be empty" };
      const problem = firstMessage(pitConfigSchema.shape[field].safeParse(text));
      return problem ? { problem } : { value: text };
    }
  }
}

/** Fills the gaps of a draft with the defaults, each depending on the answers before it. */
export function withDefaults(draft: PitDraft): PitDraft {
  const language = draft.language ?? DEFAULT_LANGUAGE;
  const buildTool = draft.buildTool ?? defaultBuildTool(language.trim());
  return {
    ...draft,
    language,
    buildTool,
    testCommand: draft.testCommand ?? defaultTestCommand(buildTool.trim()),
    maxTimeoutMs: draft.maxTimeoutMs ?? String(DEFAULT_TIMEOUT_MS),
    studentFiles: draft.studentFiles ?? defaultStudentFiles(buildTool.trim()),
  };
}

/** Accepted but worth a second look: values the runner has no defaults or graders for. */
export function languageWarning(language: string): string | undefined {
  if ((SUPPORTED_LANGUAGES as readonly string[]).includes(language)) return undefined;
  return `language "${language}" is not one of ${SUPPORTED_LANGUAGES.join(", ")}; the runner will still run its test command.`;
}

export function buildToolWarning(buildTool: string): string | undefined {
  if ((SUPPORTED_BUILD_TOOLS as readonly string[]).includes(buildTool)) return undefined;
  return `buildTool "${buildTool}" is not one of ${SUPPORTED_BUILD_TOOLS.join(", ")}; the runner will still run its test command.`;
}

export function pitIdWarning(pitId: string): string | undefined {
  if (CONVENTIONAL_ID.test(pitId)) return undefined;
  return `PIT id "${pitId}" does not follow the <language>-<buildTool>-<topic>-v<N> convention (e.g. java-maven-bank-account-v1).`;
}

export function warningsFor(pitId: string, language: string, buildTool: string): string[] {
  return [pitIdWarning(pitId), languageWarning(language), buildToolWarning(buildTool)].filter((w) => w !== undefined);
}

/** Validates every field at once, so one run reports every bad flag, and builds the config the file will hold. */
export function buildPitConfig(input: PitDraft): BuildResult {
  const draft = withDefaults(input);
  const problems: FieldProblem[] = [];
  const values: Partial<Record<DraftField, unknown>> = {};
  const fields: DraftField[] = ["id", "language", "buildTool", "testCommand", "maxTimeoutMs", "setupCommands", "requiredFiles", "studentFiles"];
  for (const field of fields) {
    const raw = draft[field];
    if (raw === undefined) {
      if (field === "id") problems.push({ field, message: "is required" });
      if (field === "testCommand") {
        problems.push({ field, message: `is required: there is no default for buildTool "${draft.buildTool ?? ""}"` });
      }
      continue;
    }
    const parsed = parseField(field, raw);
    if ("problem" in parsed) problems.push({ field, message: parsed.problem });
    else values[field] = parsed.value;
  }
  if (problems.length > 0) return { ok: false, problems };

  const lists = (["setupCommands", "requiredFiles", "studentFiles"] as const).filter((f) => Array.isArray(values[f]) && (values[f] as string[]).length > 0);
  // Key order here is the order of the written file: the fields every PIT needs first.
  const candidate = {
    language: values.language,
    buildTool: values.buildTool,
    testCommand: values.testCommand,
    maxTimeoutMs: values.maxTimeoutMs,
    ...Object.fromEntries(lists.map((f) => [f, values[f]])),
  };
  const config = pitConfigSchema.parse(candidate);
  const outside = requiredFilesOutside(config);
  if (outside.length > 0) {
    return { ok: false, problems: [{ field: "requiredFiles", message: `${outside.join(", ")}: not something a submission may contribute (see --studentFiles)` }] };
  }
  const pitId = values.id as string;
  return { ok: true, pitId, config, warnings: warningsFor(pitId, config.language, config.buildTool) };
}

/** The file's text: the same JSON `PitConfigService` reads, two-space indented, one trailing newline. */
export function renderPitJson(config: PitConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
