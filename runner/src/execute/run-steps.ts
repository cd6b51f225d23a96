import { runCommand, type RunCommandOptions, type RunResult } from "./run-command";

export interface StepsResult {
  /** The whole run: every step's output in order, the last step's exit, the total duration. */
  run: RunResult;
  /** The setup command that failed; the test command did not run. */
  failedSetup?: { command: string; exitCode: number | null };
}

/**
 * Runs the PIT's setup commands in order, then its test command, all inside one time budget:
 * a slow setup leaves less time for the tests, never more time overall.
 */
export async function runSteps(
  setupCommands: string[],
  testCommand: string,
  options: Omit<RunCommandOptions, "command">,
): Promise<StepsResult> {
  const outputs: string[] = [];
  const marked: string[] = [];
  let markedTruncated = false;
  let outputBytes = 0;
  let spentMs = 0;
  const steps = [...setupCommands, testCommand];
  for (const [index, command] of steps.entries()) {
    const isTest = index === steps.length - 1;
    const timeoutMs = Math.max(1, options.timeoutMs - spentMs);
    const step = await runCommand({ ...options, command, timeoutMs });
    spentMs += step.durationMs;
    outputBytes += step.outputBytes;
    marked.push(step.markedLines ?? "");
    markedTruncated ||= step.markedLinesTruncated === true;
    outputs.push(steps.length > 1 ? `$ ${command}\n${step.output}` : step.output);
    const markedLines = marked.join("");
    const run: RunResult = { ...step, durationMs: spentMs, output: outputs.join("\n"), outputBytes, markedLines, markedLinesTruncated: markedTruncated };
    if (isTest || step.timedOut || step.aborted) return { run };
    if (step.exitCode !== 0) return { run, failedSetup: { command, exitCode: step.exitCode } };
  }
  throw new Error("unreachable: the test command always ends the loop");
}
