import { spawn, type ChildProcess } from "node:child_process";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { closeClients, createClients } from "../clients";
import { loadConfig } from "../config";
import { FakeApi, type SubmissionRow } from "./fake-api";
import { startLocalStack, useLocalCredentials } from "./local-stack";
import { findSamples } from "./samples";

/**
 * `ts-node src/local/image-e2e.ts <command...>`: grades every bundled sample with a runner started by
 * <command> (scripts/check-image.sh: the runner inside the built image) against the SQS + S3 + PostgreSQL
 * stand-ins of this process. The argument `@ENV@` in <command> becomes `--env NAME=value` for each
 * variable the runner needs. Exit 0 when every sample ends in the row it should.
 */
const ENV_MARK = "@ENV@";
const GRADING_TIMEOUT_MS = 240_000;
const MAX_STARTS = 3;

/** What each sample case must end as; cases not named here only need a final status. */
function problemWith(name: string, row: SubmissionRow): string | undefined {
  const outcome = (row.feedback as { outcome?: string } | null)?.outcome;
  if (row.status !== "DONE" && row.status !== "ERROR") return `status ${row.status}`;
  if (name === "passing" && (row.status !== "DONE" || Number(row.score) !== 100 || outcome !== "passed")) {
    return `want DONE 100 passed, got ${row.status} ${row.score} ${outcome}`;
  }
  if ((name === "failing" || name === "partial") && (row.status !== "DONE" || Number(row.score) >= 100)) {
    return `want DONE below 100, got ${row.status} ${row.score} ${outcome}`;
  }
  // The code policy refuses System.exit in solution code by default.
  if (name === "system-exit" && (row.status !== "ERROR" || outcome !== "invalid_submission")) {
    return `want ERROR invalid_submission, got ${row.status} ${row.score} ${outcome}`;
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  if (!argv.includes(ENV_MARK)) throw new Error(`usage: image-e2e.ts <command...> (with ${ENV_MARK} in it)`);
  const stack = await startLocalStack();
  useLocalCredentials(stack.env);
  const env: Record<string, string> = {
    ...stack.env,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "local",
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "local",
    RUNNER_CONCURRENCY: "2",
  };
  const config = loadConfig(env);
  const clients = createClients(config);
  clients.pool.on("error", () => undefined);
  const api = new FakeApi({ ...clients, bucket: stack.bucket, queueUrl: stack.queueUrl });

  const envArgs = Object.entries(env).flatMap(([name, value]) => ["--env", `${name}=${value}`]);
  const command = argv.flatMap((arg) => (arg === ENV_MARK ? envArgs : [arg]));
  // The runner may be started again: a container tool can fail to start it (buildah's sporadic
  // "sealing memfd" error), and the messages simply wait on the queue for the next one.
  let stopping = false;
  let starts = 0;
  let child: ChildProcess;
  let failed: (code: number | null) => void = () => undefined;
  const gone = new Promise<never>((_resolve, reject) => {
    failed = (code) => reject(new Error(`the runner exited (code ${code}) before grading finished`));
  });
  gone.catch(() => undefined);
  let exited: Promise<unknown> = Promise.resolve();
  const start = () => {
    starts += 1;
    child = spawn(command[0]!, command.slice(1), { stdio: ["ignore", "inherit", "inherit"] });
    exited = new Promise((resolve) =>
      child.once("exit", (code) => {
        resolve(code);
        if (stopping) return;
        if (starts < MAX_STARTS) {
          console.log(`e2e: the runner command exited (code ${code}); starting it again`);
          start();
        } else failed(code);
      }),
    );
  };
  start();

  // The end of a failed run's log, to tell a wrong expectation from a broken image.
  const runLogTail = async (key: string): Promise<string> => {
    const object = await clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
    const lines = (await object.Body?.transformToString("utf8"))?.trimEnd().split("\n") ?? [];
    return lines.slice(-15).map((line) => `e2e:   | ${line}`).join("\n");
  };

  let failures = 0;
  try {
    // The image has every toolchain, so samples the host would skip are graded too.
    const samples = await findSamples(config.pitsDir);
    const submitted = await Promise.all(
      samples.map(async (s) => ({ sample: s, ...(await api.submit({ pitId: s.pitId, source: s.folder })) })),
    );
    const deadline = Date.now() + GRADING_TIMEOUT_MS;
    for (const { sample, submissionId } of submitted) {
      const row = await Promise.race([
        api.waitForFinal(submissionId, Math.max(1, deadline - Date.now())),
        gone,
      ]);
      const outcome = (row.feedback as { outcome?: string } | null)?.outcome;
      const problem = problemWith(sample.name, row);
      console.log(
        `e2e: ${sample.pitId}/${sample.name}: ${row.status} ${row.score ?? "-"} ${outcome ?? "-"}${problem ? ` FAIL (${problem})` : ""}`,
      );
      if (problem) {
        failures += 1;
        if (row.logsS3Key) console.log(await runLogTail(row.logsS3Key));
      }
    }
  } catch (error) {
    console.log(`e2e: FAIL ${error instanceof Error ? error.message : String(error)}`);
    failures += 1;
  } finally {
    stopping = true;
    child!.kill("SIGTERM");
    await exited;
    await closeClients(clients);
    await stack.stop();
  }
  return failures === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
