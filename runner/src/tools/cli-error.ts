/** A problem the person at the terminal can fix: printed without a stack, ends the process with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = "CliError";
  }
}
