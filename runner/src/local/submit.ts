import path from "node:path";
import { parseArgs } from "node:util";
import { closeClients, createClients } from "../clients";
import { loadConfig } from "../config";
import { FakeApi } from "./fake-api";
import { useLocalCredentials } from "./local-stack";
import { readStackFile } from "./stack-file";

const USAGE = "usage: npm run submit -- --pit <pitId> --zip <file-or-folder> [--user <userId>] [--wait]";

/** `npm run submit`: plays the API against the stack `npm run local` is running. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      pit: { type: "string" },
      zip: { type: "string" },
      user: { type: "string", default: "u-local" },
      wait: { type: "boolean", default: false },
    },
  });
  if (!values.pit || !values.zip) {
    console.error(USAGE);
    return 2;
  }
  const env = await readStackFile();
  useLocalCredentials(env);
  const config = loadConfig(env);
  const clients = createClients(config);
  try {
    const api = new FakeApi({ ...clients, bucket: config.aws.bucket, queueUrl: config.aws.queueUrl });
    const { submissionId, fileKey } = await api.submit({
      pitId: values.pit,
      source: path.resolve(values.zip),
      userId: values.user,
    });
    console.log(`submitted ${submissionId} (s3 key ${fileKey})`);
    if (!values.wait) return 0;
    const row = await api.waitForFinal(submissionId, 300_000);
    const feedback = row.feedback as { outcome?: string; message?: string } | null;
    console.log(`status:   ${row.status}`);
    console.log(`score:    ${row.score ?? "-"}`);
    console.log(`outcome:  ${feedback?.outcome ?? "-"}`);
    console.log(`message:  ${feedback?.message ?? "-"}`);
    console.log(`log key:  ${row.logsS3Key ?? "-"}`);
    return 0;
  } finally {
    await closeClients(clients);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
