import "dotenv/config";
import { closeClients, createClients } from "./clients";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logging/logger";
import { createRunner } from "./runner";

function readConfig() {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Before any logger or connection exists: one plain message naming every bad variable.
    console.error(error.message);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const clients = createClients(config);
  const runner = createRunner(config, clients, logger);
  logger.info({ event: "started", concurrency: config.concurrency, pitsDir: config.pitsDir }, "Runner started");

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ event: "forced-exit", signal }, "second signal: exiting now");
      runner.interrupt();
      process.exit(1);
    }
    stopping = true;
    const { shutdownGraceMs } = config.reliability;
    logger.info(
      { event: "stopping", signal, inFlight: runner.consumer.active, graceMs: shutdownGraceMs },
      "stopping: finishing submissions in flight",
    );
    // Last resort if closing hangs; still inside ECS's stopTimeout, so the task is never SIGKILLed mid-write.
    setTimeout(() => {
      logger.error({ event: "stop-timeout" }, "shutdown took too long; exiting");
      process.exit(1);
    }, shutdownGraceMs + config.killGraceMs + 15_000).unref();
    void runner
      .stop()
      .then(() => closeClients(clients))
      .then(
        () => {
          logger.info({ event: "stopped" }, "Runner stopped");
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ event: "stop-failed", err }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  await runner.start();
}

main().catch((error: unknown) => {
  console.error("Runner crashed:", error);
  process.exit(1);
});
