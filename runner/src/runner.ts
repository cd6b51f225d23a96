import type { Logger } from "pino";
import type { Clients } from "./clients";
import { createPythonAnalyser } from "./code-policy/python/python-analyser";
import type { Config } from "./config";
import { HealthFile } from "./health/health-file";
import { MetricsEmitter, startSlotsGauge } from "./metrics/emitter";
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
  /**
   * Stops polling at once, lets the submissions in flight finish within `graceMs` (default
   * RUNNER_SHUTDOWN_GRACE_MS), then kills what is left and makes its messages visible again.
   */
  stop(graceMs?: number): Promise<void>;
  /** Kills every test run now (SIGTERM to its process group), so none outlives a forced exit. */
  interrupt(): void;
}

/** Assembles the consumer and the pipeline from already-built clients, so tests can use local services. */
export function createRunner(config: Config, clients: Clients, logger: Logger): Runner {
  // A pool error on an idle client (database restarted) must be logged, not crash the process.
  clients.pool.on("error", (err) => logger.error({ event: "db-pool-error", err }, "idle database client failed"));
  const metrics = new MetricsEmitter(config.metrics.namespace);
  const deps = {
    storage: new StorageService(clients.s3, config.aws.bucket, config.tmpDir),
    pits: new PitConfigService(config.pitsDir),
    submissions: new SubmissionRepository(clients.pool),
    sandbox: Sandbox.create(config.sandbox, config.concurrency, logger, undefined, metrics),
    warnedPits: new Set<string>(),
    pythonAnalyser: createPythonAnalyser(),
    config,
  };
  const { reliability } = config;
  // Aborted when the grace period runs out: every run still going is killed and its message released.
  const interrupt = new AbortController();
  const health = new HealthFile(reliability.healthFile, logger);
  const consumer = new SqsConsumer({
    sqs: clients.sqs,
    queueUrl: config.aws.queueUrl,
    concurrency: config.concurrency,
    pollIntervalMs: config.pollIntervalMs,
    heartbeatSeconds: reliability.heartbeatSeconds,
    onTurn: () => health.touch(),
    logger,
    ...createMessageHandlers(deps, { signal: interrupt.signal, policy: reliability, metrics }, new SlotPool(config.concurrency)),
  });
  let stopGauge = () => {};
  const drain = async (graceMs: number) => {
    if (await consumer.drain(graceMs)) return;
    logger.warn({ event: "grace-expired", graceMs, inFlight: consumer.active }, "grace period over: interrupting submissions");
    interrupt.abort();
    // Killed runs end within the kill grace; the rest is settling messages, so bound the wait anyway.
    if (!(await consumer.drain(config.killGraceMs + 10_000))) {
      logger.error({ event: "drain-timeout", inFlight: consumer.active }, "submissions still in flight; their messages return after the visibility timeout");
    }
  };
  const stop = async (graceMs = reliability.shutdownGraceMs) => {
    consumer.stopReceiving();
    stopGauge();
    try {
      await drain(graceMs);
    } finally {
      // After the last submission's check; a later start() starts a new worker when one is needed.
      deps.pythonAnalyser.close();
    }
  };
  return {
    consumer,
    start: () => {
      stopGauge();
      stopGauge = startSlotsGauge({
        emitter: metrics,
        log: logger,
        intervalSeconds: config.metrics.intervalSeconds,
        slots: config.concurrency,
        inFlight: () => consumer.active,
      });
      return consumer.start();
    },
    stop,
    interrupt: () => interrupt.abort(),
  };
}
