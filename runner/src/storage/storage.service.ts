import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { StorageError } from "../errors/runner-error";

export const logsKeyFor = (submissionId: string): string => `logs/${submissionId}/run.log`;

const MISSING = new Set(["NoSuchKey", "NotFound", "NoSuchBucket"]);

function describe(error: unknown): { name: string; status?: number } {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return { name: e?.name ?? "Error", status: e?.$metadata?.httpStatusCode };
}

export class StorageService {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly tmpDir: string,
  ) {}

  /** Streams the submission to `<tmp>/<submissionId>/submission.zip`; the ZIP is never held in memory. */
  async downloadZipToTemp(fileKey: string, submissionId: string): Promise<string> {
    const dir = path.join(this.tmpDir, submissionId);
    const target = path.join(dir, "submission.zip");
    const where = `s3://${this.bucket}/${fileKey}`;
    await mkdir(dir, { recursive: true });
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: fileKey }));
      if (!(object.Body instanceof Readable)) throw new Error("S3 returned no readable body");
      await pipeline(object.Body, createWriteStream(target));
      return target;
    } catch (error) {
      const { name, status } = describe(error);
      if (MISSING.has(name) || status === 404) {
        throw new StorageError(`Submission ZIP not found at ${where}`, { kind: "permanent", cause: error, submissionId });
      }
      throw new StorageError(`Could not download ${where}: ${name}${status ? ` (HTTP ${status})` : ""}`, {
        kind: "transient",
        cause: error,
        submissionId,
      });
    }
  }

  /** Writes the run's log to `logs/<submissionId>/run.log` and returns that key. */
  async uploadLogs(submissionId: string, logs: string): Promise<string> {
    const key = logsKeyFor(submissionId);
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: logs,
          ContentType: "text/plain; charset=utf-8",
        }),
      );
      return key;
    } catch (error) {
      const { name, status } = describe(error);
      throw new StorageError(`Could not upload s3://${this.bucket}/${key}: ${name}${status ? ` (HTTP ${status})` : ""}`, {
        kind: "transient",
        cause: error,
        submissionId,
      });
    }
  }
}
