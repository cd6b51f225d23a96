import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { Upload } from "@aws-sdk/lib-storage";
import type { Pool } from "pg";
import { zipFolder } from "./zip-folder";

export interface SubmissionRow {
  id: string;
  userId: string;
  pitId: string;
  status: string;
  score: string | null;
  feedback: Record<string, unknown> | null;
  logsS3Key: string | null;
  updatedAt: Date;
}

export interface SubmitOptions {
  pitId: string;
  /** A ZIP file, or a folder zipped on the fly. */
  source: string;
  userId?: string;
  submissionId?: string;
}

/** Plays the API's part against a stack: upload the ZIP, insert the row, send the message (../shared/CONTRACT.md). */
export class FakeApi {
  constructor(
    private readonly deps: { s3: S3Client; sqs: SQSClient; pool: Pool; bucket: string; queueUrl: string },
  ) {}

  async submit(options: SubmitOptions): Promise<{ submissionId: string; fileKey: string }> {
    const submissionId = options.submissionId ?? randomUUID();
    const userId = options.userId ?? "u-local";
    const fileKey = `submissions/${userId}/${submissionId}.zip`;
    await this.upload(fileKey, options.source);
    await this.deps.pool.query(
      `INSERT INTO submissions (id, "userId", "pitId", "fileKey") VALUES ($1, $2, $3, $4)`,
      [submissionId, userId, options.pitId, fileKey],
    );
    await this.send({ submissionId, fileKey, userId, pitId: options.pitId, createdAt: new Date().toISOString() });
    return { submissionId, fileKey };
  }

  /** Sends any body, valid or not, as the API would. */
  async send(body: unknown): Promise<void> {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    await this.deps.sqs.send(new SendMessageCommand({ QueueUrl: this.deps.queueUrl, MessageBody: text }));
  }

  async upload(fileKey: string, source: string): Promise<void> {
    let zipPath = source;
    let tmp: string | undefined;
    if ((await stat(source)).isDirectory()) {
      tmp = await mkdtemp(path.join(os.tmpdir(), "fake-api-"));
      zipPath = path.join(tmp, "submission.zip");
      await zipFolder(source, zipPath);
    }
    try {
      // Multipart for large files: a single PUT over ~11 MiB is refused by the local stand-in.
      await new Upload({
        client: this.deps.s3,
        params: { Bucket: this.deps.bucket, Key: fileKey, Body: createReadStream(zipPath) },
      }).done();
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  }

  async row(submissionId: string): Promise<SubmissionRow | undefined> {
    const result = await this.deps.pool.query<SubmissionRow>(`SELECT * FROM submissions WHERE id = $1`, [submissionId]);
    return result.rows[0];
  }

  /** Polls the row until it is DONE or ERROR. */
  async waitForFinal(submissionId: string, timeoutMs = 60_000): Promise<SubmissionRow> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.row(submissionId).catch(() => undefined);
      if (row && (row.status === "DONE" || row.status === "ERROR")) return row;
      if (Date.now() > deadline) throw new Error(`submission ${submissionId} not final after ${timeoutMs} ms (status ${row?.status})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
