import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { RUNNER_ROOT } from "../src/config";

const exec = promisify(execFile);

export interface CompiledBench {
  /** The runner's entry point, as `npm start` runs it in the image. */
  runner: string;
  memoryChild: string;
  /** Compiled under the bench's scratch folder, the children find the runner's packages through this. */
  nodePath: string;
}

/**
 * Compiles the runner and the memory child to plain JavaScript, once, the way production runs them: no
 * ts-node in their CPU time or RSS.
 */
export async function compileForBench(outDir: string): Promise<CompiledBench> {
  await mkdir(outDir, { recursive: true });
  const tsconfig = path.join(outDir, "tsconfig.json");
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: path.join(RUNNER_ROOT, "tsconfig.json"),
      compilerOptions: {
        rootDir: RUNNER_ROOT,
        outDir: path.join(outDir, "js"),
        sourceMap: false,
        noEmit: false,
        typeRoots: [path.join(RUNNER_ROOT, "node_modules", "@types")],
      },
      files: [path.join(RUNNER_ROOT, "src", "index.ts"), path.join(RUNNER_ROOT, "bench", "memory-child.ts")],
      include: [],
    }),
  );
  await exec(process.execPath, [path.join(RUNNER_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", tsconfig]);
  return {
    runner: path.join(outDir, "js", "src", "index.js"),
    memoryChild: path.join(outDir, "js", "bench", "memory-child.js"),
    nodePath: path.join(RUNNER_ROOT, "node_modules"),
  };
}
