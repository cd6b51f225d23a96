import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { Pool } from "pg";
import type { Config } from "./config";

export interface Clients {
  sqs: SQSClient;
  s3: S3Client;
  pool: Pool;
}

/** Builds the AWS and database clients; none connects until first used. */
export function createClients(config: Config): Clients {
  const { aws, database } = config;
  // With an endpoint override every SQS call goes there whatever host the queue URL names, and S3
  // uses path-style addressing, which local stand-ins need (../shared/CONTRACT.md §5).
  const sqs = new SQSClient({ region: aws.region, ...(aws.sqsEndpoint ? { endpoint: aws.sqsEndpoint } : {}) });
  const s3 = new S3Client({
    region: aws.region,
    ...(aws.s3Endpoint ? { endpoint: aws.s3Endpoint, forcePathStyle: true } : {}),
  });
  const pool = new Pool({
    connectionString: database.connectionString,
    host: database.host,
    port: database.port,
    user: database.user,
    password: database.password,
    database: database.database,
    ssl: database.ssl ? { rejectUnauthorized: true } : undefined,
    max: Math.max(4, config.concurrency + 2),
    connectionTimeoutMillis: 5000,
  });
  return { sqs, s3, pool };
}

export async function closeClients(clients: Clients): Promise<void> {
  clients.sqs.destroy();
  clients.s3.destroy();
  await clients.pool.end();
}
