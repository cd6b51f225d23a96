/**
 * Runs in its own process (compiled to plain JavaScript, as the runner runs in production) so that its
 * peak RSS is the runner's download + extraction alone. Prints one JSON line on stdout.
 */
import { readFileSync } from "node:fs";
import { createClients } from "../src/clients";
import { loadConfig } from "../src/config";
import { extractZip } from "../src/extract/extract-zip";
import { StorageService } from "../src/storage/storage.service";

/**
 * This process's own RSS high-water mark in MB. Not resourceUsage().maxRSS: Linux carries the RSS of the
 * forked parent (the bench, holding fauxqs's 200 MB object) across exec into the child's ru_maxrss.
 */
function peakRssMb(): number {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
  if (!hwm?.[1]) throw new Error("no VmHWM in /proc/self/status");
  return Number(hwm[1]) / 1024;
}

async function main(): Promise<void> {
  const [fileKey, workspace] = process.argv.slice(2);
  if (!fileKey || !workspace) throw new Error("usage: memory-child <fileKey> <workspace>");
  const config = loadConfig();
  const clients = createClients(config);
  const storage = new StorageService(clients.s3, config.aws.bucket, config.tmpDir);
  const baselineRssMb = process.memoryUsage().rss / 2 ** 20;

  const t0 = performance.now();
  const zipPath = await storage.downloadZipToTemp(fileKey, "memory-bench");
  const t1 = performance.now();
  const afterDownloadRssMb = peakRssMb();
  const extracted = await extractZip(zipPath, workspace);
  const t2 = performance.now();

  clients.s3.destroy();
  clients.sqs.destroy();
  await clients.pool.end();
  const result = {
    zipPath,
    files: extracted.files,
    bytes: extracted.bytes,
    downloadMs: t1 - t0,
    extractMs: t2 - t1,
    baselineRssMb,
    afterDownloadRssMb,
    peakRssMb: peakRssMb(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
