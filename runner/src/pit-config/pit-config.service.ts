import { readFileSync } from "node:fs";
import path from "node:path";
import { requiredFilesOutside } from "../admit/required-files";
import { PitConfigError } from "../errors/runner-error";
import type { PitConfig } from "./interfaces/pit-config.interface";
import { pitConfigSchema, pitIdSchema } from "./pit-config.schema";

export interface LoadedPit {
  pitId: string;
  config: PitConfig;
  /** `<pitsDir>/<pitId>/` when the PIT ships template files (tests, build file) copied over the submission. */
  templateDir: string;
}

export class PitConfigService {
  constructor(private readonly pitsDir: string) {}

  configPath(pitId: string): string {
    return path.join(this.pitsDir, `${pitId}.json`);
  }

  /** Reads and validates `<pitsDir>/<pitId>.json`; every failure names the file and what is wrong with it. */
  async loadConfig(pitId: string): Promise<PitConfig> {
    return (await this.load(pitId)).config;
  }

  async load(pitId: string): Promise<LoadedPit> {
    const id = pitIdSchema.safeParse(pitId);
    if (!id.success) {
      throw new PitConfigError(`Invalid pitId ${JSON.stringify(pitId)}: ${id.error.issues[0]?.message ?? "not a safe name"}`);
    }
    const file = this.configPath(pitId);
    let text: string;
    try {
      // Synchronous: a few KiB, read on every submission so an edited PIT applies at once; a thread-pool round
      // trip costs more than the read itself (see files/pacer.ts).
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file (unknown PIT)" : `cannot be read (${code ?? String(error)})`;
      throw new PitConfigError(`PIT config ${file}: ${why}`, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new PitConfigError(`PIT config ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    const parsed = pitConfigSchema.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
      throw new PitConfigError(`PIT config ${file} is invalid: ${fields}`);
    }
    const outside = requiredFilesOutside(parsed.data);
    if (outside.length > 0) {
      throw new PitConfigError(
        `PIT config ${file} is invalid: requiredFiles ${outside.map((f) => JSON.stringify(f)).join(", ")} ` +
          "lie outside what a submission may contribute (studentFiles, or a path the build and test tools own)",
      );
    }
    return { pitId, config: parsed.data, templateDir: path.join(this.pitsDir, pitId) };
  }
}
