import type { Logger } from "pino";

export interface HeartbeatOptions {
  /** Seconds between two extensions; must stay below the queue's visibility timeout. */
  intervalSeconds: number;
  /** Each beat hides the message this long from now (2 × interval leaves room for one missed beat). */
  extendToSeconds: number;
  /** Sends ChangeMessageVisibility for the message. */
  extend: (visibilityTimeoutSeconds: number) => Promise<void>;
  log: Logger;
}

export interface Heartbeat {
  /** Stops beating and waits for a beat already on the wire, so nothing re-hides a message after it is settled. */
  stop(): Promise<void>;
}

/** Keeps a message hidden from other runners while its submission is graded. */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  let stopped = false;
  let pending: Promise<void> = Promise.resolve();
  const beat = () => {
    pending = options.extend(options.extendToSeconds).then(
      () => options.log.debug({ event: "visibility-extended", seconds: options.extendToSeconds }, "visibility extended"),
      // A missed beat is not fatal: the next one may land before the visibility runs out.
      (err: unknown) => options.log.warn({ event: "heartbeat-failed", err }, "could not extend message visibility"),
    );
  };
  const timer = setInterval(() => {
    if (!stopped) beat();
  }, options.intervalSeconds * 1000);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await pending;
    },
  };
}

/** Runs `work` with a heartbeat that stops however `work` ends. */
export async function withHeartbeat<T>(options: HeartbeatOptions | undefined, work: () => Promise<T>): Promise<T> {
  if (!options) return work();
  const heartbeat = startHeartbeat(options);
  try {
    return await work();
  } finally {
    await heartbeat.stop();
  }
}
