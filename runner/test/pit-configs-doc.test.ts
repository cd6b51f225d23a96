import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { pitConfigSchema, SUPPORTED_BUILD_TOOLS, SUPPORTED_LANGUAGES } from "../src/pit-config/pit-config.schema";
import { defaultTestCommand } from "../src/tools/generator/defaults";
import { RUNNER_DIR } from "./helpers/run-tool";

// The schema is the one source of truth; these checks keep the instructors' page from drifting away from it.
let doc: string;
let jsonBlocks: string[];
beforeAll(async () => {
  doc = await readFile(path.join(RUNNER_DIR, "PIT-CONFIGS.md"), "utf8");
  jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
});

describe("PIT-CONFIGS.md", () => {
  it("opens with a full example that the schema accepts and that uses every field", () => {
    expect(jsonBlocks.length).toBeGreaterThan(0);
    const example: unknown = JSON.parse(jsonBlocks[0] ?? "");
    expect(pitConfigSchema.safeParse(example).success).toBe(true);
    expect(Object.keys(example as object).sort()).toEqual(Object.keys(pitConfigSchema.shape).sort());
  });

  it("shows only configs the schema accepts", () => {
    for (const block of jsonBlocks) {
      const parsed = pitConfigSchema.safeParse(JSON.parse(block));
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
  });

  it("documents every field of the schema", () => {
    for (const field of Object.keys(pitConfigSchema.shape)) {
      expect(doc).toContain(`| \`${field}\` |`);
    }
  });

  it("lists the supported values and the generator's default test commands", () => {
    for (const value of [...SUPPORTED_LANGUAGES, ...SUPPORTED_BUILD_TOOLS]) expect(doc).toContain(`\`${value}\``);
    for (const buildTool of SUPPORTED_BUILD_TOOLS) {
      expect(doc).toContain(`| \`${buildTool}\` | \`${defaultTestCommand(buildTool)}\` |`);
    }
  });
});
