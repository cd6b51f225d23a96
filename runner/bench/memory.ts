import { execFile } from "node:child_process";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { FakeApi } from "../src/local/fake-api";
import { writeBigZip } from "./big-zip";
import type { CompiledBench } from "./compile";

const exec = promisify(execFile);

export interface MemoryResult {
  zipMb: number;
  files: number;
  unpackedMb: number;
  downloadMs: number;
  extractMs: number;
  unzipMs: number;
  extractVsUnzip: number;
  baselineRssMb: number;
  /** Peak RSS once the download is done, before extraction: tells which of the two holds memory. */
  afterDownloadRssMb: number;
  peakRssMb: number;
}

/** A ~200 MB submission through StorageService + extractZip in a child process, against `unzip -q` on the same file. */
export async function runMemoryBench(
  api: FakeApi,
  env: Record<string, string>,
  scratch: string,
  compiled: CompiledBench,
): Promise<MemoryResult> {
  const dir = path.join(scratch, "memory");
  await mkdir(dir, { recursive: true });
  await writeBigZip(path.join(dir, "big.zip"));
  const zipBytes = (await stat(path.join(dir, "big.zip"))).size;
  const fileKey = "submissions/u-bench/big.zip";
  await api.upload(fileKey, path.join(dir, "big.zip"));
  await rm(path.join(dir, "big.zip"));

  const { stdout } = await exec(process.execPath, [compiled.memoryChild, fileKey, path.join(dir, "workspace")], {
    env: {
      ...env,
      RUNNER_TMP_DIR: path.join(dir, "tmp"),
      RUNNER_WORK_DIR: path.join(dir, "work"),
      NODE_PATH: compiled.nodePath,
    },
    maxBuffer: 1 << 20,
  });
  const measured = JSON.parse(stdout) as {
    zipPath: string;
    files: number;
    bytes: number;
    downloadMs: number;
    extractMs: number;
    baselineRssMb: number;
    afterDownloadRssMb: number;
    peakRssMb: number;
  };

  const started = performance.now();
  await exec("unzip", ["-q", measured.zipPath, "-d", path.join(dir, "unzip")]);
  const unzipMs = performance.now() - started;
  await rm(dir, { recursive: true, force: true });
  return {
    zipMb: zipBytes / 2 ** 20,
    files: measured.files,
    unpackedMb: measured.bytes / 2 ** 20,
    downloadMs: measured.downloadMs,
    extractMs: measured.extractMs,
    unzipMs,
    extractVsUnzip: measured.extractMs / unzipMs,
    baselineRssMb: measured.baselineRssMb,
    afterDownloadRssMb: measured.afterDownloadRssMb,
    peakRssMb: measured.peakRssMb,
  };
}
