import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Pool } from "pg";
import yauzl, { type Entry, type ZipFile } from "yauzl";

export interface FloorDeps {
  s3: S3Client;
  pool: Pool;
  bucket: string;
  scratch: string;
}

export type FloorSample = Record<"download" | "extract" | "spawn" | "upload" | "update" | "total", number>;

const openZip = promisify<string, yauzl.Options, ZipFile>(yauzl.open);

/** The least any grader must do for a submission, with no checks, logs or bookkeeping. */
async function bareExtract(zipPath: string, into: string): Promise<void> {
  const zip = await openZip(zipPath, { lazyEntries: true, autoClose: true });
  const openEntry = promisify<Entry, Readable>(zip.openReadStream.bind(zip));
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", resolve);
    zip.on("entry", (entry: Entry) => {
      const target = path.join(into, entry.fileName);
      mkdir(path.dirname(target), { recursive: true })
        .then(() => openEntry(entry))
        .then((input) => pipeline(input, createWriteStream(target)))
        .then(() => zip.readEntry(), reject);
    });
    zip.readEntry();
  });
}

function spawnTrue(cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", "true"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

/** Times the floor's five operations for one submission already in S3 and in the table. */
export async function floorOnce(deps: FloorDeps, id: string, fileKey: string): Promise<FloorSample> {
  const dir = path.join(deps.scratch, id);
  const zipPath = path.join(dir, "submission.zip");
  const work = path.join(dir, "work");
  const t0 = performance.now();
  await mkdir(work, { recursive: true });
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: fileKey }));
  await pipeline(object.Body as Readable, createWriteStream(zipPath));
  const t1 = performance.now();
  await bareExtract(zipPath, work);
  const t2 = performance.now();
  await spawnTrue(work);
  const t3 = performance.now();
  await deps.s3.send(new PutObjectCommand({ Bucket: deps.bucket, Key: `logs/${id}/run.log`, Body: "ok\n" }));
  const t4 = performance.now();
  await deps.pool.query(
    `UPDATE submissions SET status = 'DONE', score = 100, feedback = '{}'::jsonb, "updatedAt" = now() WHERE id = $1`,
    [id],
  );
  const t5 = performance.now();
  // Not timed: the floor needs no cleanup guarantee, only a tidy scratch folder.
  await rm(dir, { recursive: true, force: true });
  return { download: t1 - t0, extract: t2 - t1, spawn: t3 - t2, upload: t4 - t3, update: t5 - t4, total: t5 - t0 };
}
