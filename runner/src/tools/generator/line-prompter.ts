import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { CliError } from "../cli-error";
import type { Prompter } from "./interactive";

/**
 * A Prompter over readline. Lines are pulled from readline's async iterator, which buffers them:
 * answers piped in all at once (a script, a test) are not lost between questions, as they are with
 * `rl.question`. On a terminal, readline edits the line and the question is its prompt, so redraws
 * after a backspace or an arrow key show the right text.
 */
export function createLinePrompter(
  input: Readable & { isTTY?: boolean },
  output: Writable & { isTTY?: boolean },
  errors: Writable,
): Prompter & { close(): void } {
  const terminal = Boolean(input.isTTY && output.isTTY);
  const rl = createInterface({ input, output, terminal });
  // Without a listener readline only pauses on Ctrl-C; closing ends the questions like end of input does.
  rl.on("SIGINT", () => rl.close());
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(question) {
      rl.setPrompt(question);
      rl.prompt();
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
