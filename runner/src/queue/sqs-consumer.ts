import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Logger } from "pino";
import { parseSubmissionMessage, type SubmissionMessage } from "./submission-message";
import { withHeartbeat, type HeartbeatOptions } from "./visibility-heartbeat";

/** What to do with a message once handled. */
export type Disposition =
  | { action: "delete" }
  /** Leave it on the queue; with `delaySeconds`, make it visible again after that long. */
  | { action: "retry"; delaySeconds?: number };

export interface MessageContext {
  messageId: string;
  /** SQS's ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
  /** When this task received it (ms since the epoch): the end of the queue wait the metrics report. */
  receivedAt: number;
  log: Logger;
}

export type MessageHandler = (message: SubmissionMessage, context: MessageContext) => Promise<Disposition>;
/** A body that can never be processed; `submissionId` is set when it could still be read. */
export type PoisonHandler = (
  reason: string,
  submissionId: string | undefined,
  context: MessageContext,
) => Promise<Disposition>;

export interface SqsConsumerOptions {
  sqs: SQSClient;
  queueUrl: string;
  concurrency: number;
  handle: MessageHandler;
  onPoison: PoisonHandler;
  logger: Logger;
  waitTimeSeconds?: number;
  /** Pause after an empty poll; long polling already waits up to `waitTimeSeconds`. */
  pollIntervalMs?: number;
  /** While a message is handled its visibility is extended every this many seconds (to twice that). */
  heartbeatSeconds?: number;
  /** Called on every turn of the loop, and at least every `idleTurnMs` while all slots are busy (health checks). */
  onTurn?: () => void;
}

const MAX_BATCH = 10;
const MAX_BACKOFF_MS = 30_000;
/** While every slot is busy the loop still turns this often, so a health check sees it alive. */
const IDLE_TURN_MS = 10_000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Long-polls the queue and keeps at most `concurrency` messages in flight: it only asks SQS for as
 * many messages as it has free slots, so nothing waits in memory while its visibility runs out.
 * A message is deleted only after its handler says so; no error in a handler or a receive stops the loop.
 */
export class SqsConsumer {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopController = new AbortController();
  private loop: Promise<void> | undefined;
  private slotFreed: (() => void) | undefined;
  private failures = 0;
  /** Time of the last completed receive call, for health checks. */
  lastPollAt = 0;

  constructor(private readonly options: SqsConsumerOptions) {}

  get active(): number {
    return this.inFlight.size;
  }

  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /** Stops receiving at once (the pending long poll is aborted) and waits for in-flight messages. */
  async stop(): Promise<void> {
    this.stopReceiving();
    await this.drain();
  }

  /** Aborts the pending long poll; messages in flight go on. */
  stopReceiving(): void {
    this.stopController.abort();
  }

  /** Waits for the loop and the messages in flight; `false` when `timeoutMs` ran out first. */
  async drain(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const all = (async () => {
      await this.loop;
      // A task can only be added by the loop, which has ended: this set no longer grows.
      await Promise.allSettled([...this.inFlight]);
      return true;
    })();
    if (!Number.isFinite(timeoutMs)) return all;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    const { logger, concurrency } = this.options;
    logger.info({ event: "consumer-started", queueUrl: this.options.queueUrl, concurrency }, "polling queue");
    while (!this.stopping) {
      this.options.onTurn?.();
      if (this.inFlight.size >= concurrency) {
        await new Promise<void>((resolve) => {
          const tick = setTimeout(resolve, IDLE_TURN_MS);
          this.slotFreed = () => (clearTimeout(tick), resolve());
        });
        continue;
      }
      const messages = await this.receive(Math.min(MAX_BATCH, concurrency - this.inFlight.size));
      if (messages === undefined) continue;
      for (const message of messages) this.track(this.handleOne(message));
      if (messages.length === 0 && this.options.pollIntervalMs) {
        await sleep(this.options.pollIntervalMs, this.stopController.signal);
      }
    }
    logger.info({ event: "consumer-stopped", inFlight: this.inFlight.size }, "stopped polling");
  }

  private async receive(max: number): Promise<Message[] | undefined> {
    try {
      const response = await this.options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.options.queueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: this.options.waitTimeSeconds ?? 20,
          // Hidden as long as one heartbeat extension from the start, whatever the queue's own default.
          VisibilityTimeout: this.options.heartbeatSeconds ? 2 * this.options.heartbeatSeconds : undefined,
          MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        }),
        { abortSignal: this.stopController.signal },
      );
      this.failures = 0;
      this.lastPollAt = Date.now();
      return response.Messages ?? [];
    } catch (error) {
      if (this.stopping) return undefined;
      this.failures += 1;
      const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures, 10));
      this.options.logger.error({ event: "receive-failed", err: error, retryInMs: backoff }, "receive failed");
      await sleep(backoff, this.stopController.signal);
      return undefined;
    }
  }

  private track(task: Promise<void>): void {
    this.inFlight.add(task);
    void task.finally(() => {
      this.inFlight.delete(task);
      this.slotFreed?.();
      this.slotFreed = undefined;
    });
  }

  private async handleOne(message: Message): Promise<void> {
    const messageId = message.MessageId ?? "unknown";
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? "1");
    const parsed = parseSubmissionMessage(message.Body);
    const submissionId = parsed.ok ? parsed.message.submissionId : parsed.submissionId;
    const log = this.options.logger.child({ submissionId, messageId });
    const context: MessageContext = { messageId, receiveCount, receivedAt: Date.now(), log };
    log.info({ event: "received", receiveCount, pitId: parsed.ok ? parsed.message.pitId : undefined }, "message received");

    let disposition: Disposition;
    try {
      disposition = await withHeartbeat(this.heartbeatFor(message, log), () =>
        parsed.ok
          ? this.options.handle(parsed.message, context)
          : this.options.onPoison(parsed.reason, parsed.submissionId, context),
      );
    } catch (error) {
      // The handler could not even record a failure: leave the message so it comes back.
      log.error({ event: "failed", err: error }, "message handling failed; leaving it on the queue");
      return;
    }
    await this.settle(message, disposition, log);
  }

  private heartbeatFor(message: Message, log: Logger): HeartbeatOptions | undefined {
    const seconds = this.options.heartbeatSeconds;
    if (!seconds) return undefined;
    return {
      intervalSeconds: seconds,
      extendToSeconds: 2 * seconds,
      log,
      extend: async (timeout) => {
        await this.options.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: this.options.queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: timeout,
          }),
        );
      },
    };
  }

  private async settle(message: Message, disposition: Disposition, log: Logger): Promise<void> {
    try {
      if (disposition.action === "delete") {
        await this.options.sqs.send(
          new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        log.info({ event: "deleted" }, "message deleted");
      } else if (disposition.delaySeconds !== undefined) {
        await this.options.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: this.options.queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: disposition.delaySeconds,
          }),
        );
        log.info({ event: "retry-scheduled", delaySeconds: disposition.delaySeconds }, "message left for retry");
      } else {
        log.info({ event: "retry-scheduled" }, "message left for retry after its visibility timeout");
      }
    } catch (error) {
      log.error({ event: "settle-failed", action: disposition.action, err: error }, "could not settle message");
    }
  }
}
