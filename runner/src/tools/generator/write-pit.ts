import { mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { PitConfig } from "../../pit-config/interfaces/pit-config.interface";
import { CliError } from "../cli-error";
import { renderPitJson } from "./pit-draft";

export function pitConfigPath(pitsDir: string, pitId: string): string {
  return path.join(pitsDir, `${pitId}.json`);
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `<pitsDir>/<pitId>.json`. Without `overwrite` the file is created exclusively ("wx"),
 * so a PIT that appeared since the check is still never replaced by accident.
 */
export async function writePitConfig(
  pitsDir: string,
  pitId: string,
  config: PitConfig,
  options: { overwrite: boolean },
): Promise<string> {
  const file = pitConfigPath(pitsDir, pitId);
  await mkdir(pitsDir, { recursive: true });
  try {
    await writeFile(file, renderPitJson(config), { flag: options.overwrite ? "w" : "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new CliError(`PIT "${pitId}" already exists at ${file}; pass --force to overwrite it.`, 1, { cause: error });
    }
    throw new CliError(`Could not write ${file}: ${(error as Error).message}`, 1, { cause: error });
  }
  return file;
}
