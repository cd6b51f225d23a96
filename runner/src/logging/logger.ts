import pino, { type Logger, type LoggerOptions } from "pino";

/** The one root logger; every submission gets a child carrying its `submissionId`. */
export function createLogger(level: LoggerOptions["level"], destination?: pino.DestinationStream): Logger {
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
