import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { RUNNER_ROOT } from "../config";
import { PitConfigService } from "../pit-config/pit-config.service";

export const SAMPLES_DIR = path.join(RUNNER_ROOT, "samples");

export interface Sample {
  pitId: string;
  name: string;
  folder: string;
  /** Why it cannot run on this machine, when a toolchain is missing. */
  skipReason?: string;
}

const run = promisify(execFile);

async function works(file: string, args: string[]): Promise<boolean> {
  try {
    await run(file, args, { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** The tools a build tool needs, checked once: samples whose toolchain is missing are skipped, not failed. */
const TOOLCHAINS: Record<string, { check: () => Promise<boolean>; missing: string }> = {
  maven: {
    check: async () => (await works("mvn", ["-v"])) && (await works("javac", ["-version"])),
    missing: "Maven and a JDK are not installed (mvn, javac)",
  },
  pytest: {
    check: () => works("/usr/bin/python3", ["-m", "pytest", "--version"]),
    missing: "Debian's python3-pytest is not installed (/usr/bin/python3 -m pytest)",
  },
};

/** Every `samples/<pitId>/<case>/` folder, with the reason it must be skipped if its toolchain is missing. */
export async function findSamples(pitsDir: string): Promise<Sample[]> {
  const pits = new PitConfigService(pitsDir);
  const checked = new Map<string, Promise<boolean>>();
  const samples: Sample[] = [];
  for (const pitId of (await readdir(SAMPLES_DIR)).sort()) {
    const buildTool = (await pits.loadConfig(pitId)).buildTool;
    const toolchain = TOOLCHAINS[buildTool];
    if (toolchain && !checked.has(buildTool)) checked.set(buildTool, toolchain.check());
    const available = toolchain ? await checked.get(buildTool) : true;
    for (const name of (await readdir(path.join(SAMPLES_DIR, pitId))).sort()) {
      samples.push({
        pitId,
        name,
        folder: path.join(SAMPLES_DIR, pitId, name),
        skipReason: available ? undefined : toolchain?.missing,
      });
    }
  }
  return samples;
}
