import type { Logger } from "pino";
import type { Clients } from "./clients";
import type { Config } from "./config";
import { createMessageHandlers } from "./pipeline/handle-message";
import { PitConfigService } from "./pit-config/pit-config.service";
import { SqsConsumer } from "./queue/sqs-consumer";
import { SubmissionRepository } from "./results/submission-repository";
import { Sandbox } from "./sandbox/sandbox";
import { SlotPool } from "./sandbox/slot-pool";
import { StorageService } from "./storage/storage.service";

export interface Runner {
  consumer: SqsConsumer;
  /** Resolves when the polling loop has stopped. */
  start(): Promise<void>;
  /** Stops polling and waits for the submissions in flight. */
  stop(): Promise<void>;
}

/** Assembles the consumer and the pipeline from already-built clients, so tests can use local services. */
export function createRunner(config: Config, clients: Clients, logger: Logger): Runner {
  // A pool error on an idle client (database restarted) must be logged, not crash the process.
  clients.pool.on("error", (err) => logger.error({ event: "db-pool-error", err }, "idle database client failed"));
  const deps = {
    storage: new StorageService(clients.s3, config.aws.bucket, config.tmpDir),
    pits: new PitConfigService(config.pitsDir),
    submissions: new SubmissionRepository(clients.pool),
    sandbox: Sandbox.create(config.sandbox, config.concurrency, logger),
    config,
  };
  const consumer = new SqsConsumer({
    sqs: clients.sqs,
    queueUrl: config.aws.queueUrl,
    concurrency: config.concurrency,
    pollIntervalMs: config.pollIntervalMs,
    logger,
    ...createMessageHandlers(deps, {}, new SlotPool(config.concurrency)),
  });
  return {
    consumer,
    start: () => consumer.start(),
    stop: () => consumer.stop(),
  };
}
