import { z } from "zod";

/** A PIT id doubles as a file name, so it may only use characters that cannot escape `pitsDir`. */
export const pitIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "must be 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
  .refine((id) => !id.includes(".."), "must not contain '..'");

export const SUPPORTED_LANGUAGES = ["java", "python", "javascript"] as const;
export const SUPPORTED_BUILD_TOOLS = ["maven", "pytest", "node", "npm"] as const;

/**
 * The one source of truth for a PIT config (runner/PIT-CONFIGS.md documents it).
 * `language` and `buildTool` are open strings so an instructor can try a new toolchain;
 * the generator warns about values outside the supported lists.
 */
export const pitConfigSchema = z
  .object({
    language: z.string().trim().min(1),
    buildTool: z.string().trim().min(1),
    testCommand: z.string().trim().min(1),
    maxTimeoutMs: z.number().int().positive().max(30 * 60 * 1000),
    setupCommands: z.array(z.string().trim().min(1)).optional(),
    environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a valid variable name"), z.string()).optional(),
    requiredFiles: z.array(z.string().trim().min(1)).optional(),
  })
  .strict();
