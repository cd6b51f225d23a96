import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { CliError } from "../cli-error";
import type { Prompter } from "./interactive";

/**
 * A Prompter over readline. Lines are pulled from readline's async iterator, which buffers them:
 * answers piped in all at once (a script, a test) are not lost between questions, as they are with
 * `rl.question`.
 */
export function createLinePrompter(input: Readable, output: Writable, errors: Writable): Prompter & { close(): void } {
  const rl = createInterface({ input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(question) {
      output.write(question);
      const next = await lines.next();
      if (next.done) throw new CliError("\nInput ended before every question was answered; nothing written.", 1);
      return next.value;
    },
    say(line) {
      output.write(`${line}\n`);
    },
    warn(line) {
      errors.write(`${line}\n`);
    },
    close() {
      rl.close();
    },
  };
}
