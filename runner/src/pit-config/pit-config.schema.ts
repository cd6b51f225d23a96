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
    /** Globs, relative to the workspace, of the JUnit XML reports to grade; defaults per buildTool. */
    reportPaths: z.array(z.string().trim().min(1)).min(1).optional(),
    /** Optional scale: the score is maxScore * (weight passed) / (weight of non-skipped tests). */
    grading: z
      .object({
        maxScore: z.number().positive().max(1000).optional(),
        /** Keyed by `<suite>.<name>` or by the bare test name; tests not listed weigh 1. */
        weights: z.record(z.string().min(1), z.number().nonnegative().max(1000)).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
