import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { RUNNER_DIR, SAMPLES_DIR } from "./harness";

export const PYTHON_PIT = "python-pytest-dummy-dev";
export const NODE_PIT = "javascript-node-dummy-dev";

export interface PolicyPit {
  pitId: string;
  /** A sample PIT whose config and template are copied (then `config` and `files` applied), or none. */
  base?: string;
  config?: Record<string, unknown>;
  /** A folder copied as the template (after `base`'s). */
  templateDir?: string;
  /** Template files, relative path -> content. */
  files?: Record<string, string>;
  /** Changes to template files already there (the base's), relative path -> [text, replacement] pairs, each required. */
  edits?: Record<string, [text: string, replacement: string][]>;
}

/** A pits folder for startRunner({ RUNNER_PITS_DIR }), with variants of the sample PITs and PITs of the test's own. */
export async function writePolicyPits(pits: PolicyPit[]): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "policy-pits-"));
  for (const pit of pits) {
    const template = path.join(dir, pit.pitId);
    let config: Record<string, unknown> = {};
    if (pit.base) {
      await cp(path.join(RUNNER_DIR, "pits", pit.base), template, { recursive: true });
      config = JSON.parse(await readFile(path.join(RUNNER_DIR, "pits", `${pit.base}.json`), "utf8")) as Record<string, unknown>;
    }
    if (pit.templateDir) await cp(pit.templateDir, template, { recursive: true });
    for (const [file, text] of Object.entries(pit.files ?? {})) {
      await mkdir(path.dirname(path.join(template, file)), { recursive: true });
      await writeFile(path.join(template, file), text);
    }
    for (const [file, changes] of Object.entries(pit.edits ?? {})) {
      let text = await readFile(path.join(template, file), "utf8");
      for (const [from, to] of changes) {
        if (!text.includes(from)) throw new Error(`${pit.pitId}: ${file} has no ${JSON.stringify(from)} to change`);
        text = text.replace(from, to);
      }
      await writeFile(path.join(template, file), text);
    }
    await writeFile(path.join(dir, `${pit.pitId}.json`), JSON.stringify({ ...config, ...pit.config }));
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A submission folder holding `files` (relative path -> content). */
export async function writeSubmission(scratch: string, name: string, files: Record<string, string>): Promise<string> {
  const folder = path.join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
    await writeFile(path.join(folder, file), text);
  }
  return folder;
}

/** A sample solution file (e.g. the partial one), to append an attack to. */
export function sampleFile(pit: string, sample: string, file: string): Promise<string> {
  return readFile(path.join(SAMPLES_DIR, pit, sample, file), "utf8");
}
