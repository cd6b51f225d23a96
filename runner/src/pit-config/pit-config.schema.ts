import { z } from "zod";

/** A PIT id doubles as a file name, so it may only use characters that cannot escape `pitsDir`. */
export const pitIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "must be 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
  .refine((id) => !id.includes(".."), "must not contain '..'");

export const SUPPORTED_LANGUAGES = ["java", "python", "javascript"] as const;
export const SUPPORTED_BUILD_TOOLS = ["maven", "pytest", "node", "npm"] as const;

/** A test as its report names it: the suite (class, module or describe path; null when none) and the test. */
export const testRefSchema = z.object({ suite: z.string().min(1).nullable(), name: z.string().min(1) }).strict();

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
    /**
     * Globs (relative to the ZIP's root) of the paths a submission may contribute; everything else is dropped
     * before the template is laid over. Defaults per buildTool (admit/student-files.ts). Files that configure
     * or shadow the build and test tools are dropped whatever this says (admit/protected-paths.ts).
     */
    studentFiles: z.array(z.string().trim().min(1)).min(1).optional(),
    /**
     * The tests the instructor's reference solution ran (`npm run try:pit -- <pitId> <reference> --record`), as the
     * reports name them. Only these count; a test the PIT does not expect never changes the score.
     */
    expectedTests: z.array(testRefSchema).optional(),
    /** Expected tests the instructor disabled (skipped in the reference run): never counted. */
    disabledTests: z.array(testRefSchema).optional(),
    /**
     * Overrides of the language's default deny list of APIs a solution may not use (code-policy/): entries are
     * API names or prefixes of them (`java.lang.Thread`, `os.system`, `node:worker_threads`); the most
     * specific matching entry wins, and an entry of the PIT's beats a default of the same length.
     */
    codePolicy: z
      .object({
        allow: z.array(z.string().trim().min(1)).optional(),
        deny: z.array(z.string().trim().min(1)).optional(),
      })
      .strict()
      .optional(),
    /**
     * `allow` lets student code open network sockets (an exercise that runs a server on localhost); the default
     * follows RUNNER_SANDBOX_NETWORK (deny). See backend.md "Security model".
     */
    network: z.enum(["deny", "allow"]).optional(),
    /** Optional scale: the score is maxScore * (weight passed) / (weight of counted tests). */
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
