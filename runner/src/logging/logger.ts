import pino, { type Logger, type LoggerOptions } from "pino";

/**
 * The one root logger; every submission gets a child carrying its `submissionId`. Lines go to stdout synchronously:
 * a line is never lost when the process dies, and one write syscall is cheaper than pino's default asynchronous
 * write, a thread-pool round trip per line (see files/pacer.ts).
 */
export function createLogger(
  level: LoggerOptions["level"],
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: true }),
): Logger {
  return pino(
    {
      level,
      base: { service: "runner" },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors are logged with their stack and cause chain.
      serializers: { err: pino.stdSerializers.errWithCause },
    },
    destination,
  );
}
