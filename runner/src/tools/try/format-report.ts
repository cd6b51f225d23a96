import type { TestCaseFeedback } from "../../grading/feedback";
import type { TryResult } from "./try-submission";

const MESSAGE_COLUMN_CHARS = 60;
const TAIL_LINES = 40;

function oneLine(text: string | null, max: number): string {
  if (!text) return "";
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A plain-text table (no colours: it often ends up pasted into an issue or a mail). */
export function formatTestTable(tests: TestCaseFeedback[]): string[] {
  if (tests.length === 0) {
    return ["No per-test results: the run wrote no test report (see the message and the output below)."];
  }
  const rows = tests.map((t) => [
    t.status,
    t.suite ? `${t.suite} > ${t.name}` : t.name,
    t.durationMs === null ? "" : `${t.durationMs} ms`,
    oneLine(t.message, MESSAGE_COLUMN_CHARS),
  ]);
  const header = ["STATUS", "TEST", "TIME", "MESSAGE"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const render = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [render(header), render(widths.map((w) => "-".repeat(w))), ...rows.map(render)];
}

function tail(output: string, lines: number): { text: string; cut: boolean } {
  const all = output.replace(/\n+$/, "").split("\n");
  return all.length > lines ? { text: all.slice(-lines).join("\n"), cut: true } : { text: all.join("\n"), cut: false };
}

/**
 * What an instructor needs to judge a PIT: the score and outcome the student would get, each test,
 * and enough of the output to see why when it is not what they expected.
 */
export function formatTryReport(result: TryResult, options: { showOutput: boolean }): string[] {
  const { grade, run, failure } = result;
  const { feedback } = grade;
  const lines = [
    `PIT:      ${feedback.pitId}`,
    `Status:   ${grade.status}${result.graded ? "" : " (could not be graded)"}`,
    `Outcome:  ${feedback.outcome}`,
    `Score:    ${grade.score}`,
    `Message:  ${feedback.message}`,
  ];
  if (failure) lines.push(`Reason:   ${failure.message}`);
  if (run) {
    const s = feedback.summary;
    lines.push(
      `Tests:    ${s.total} total, ${s.passed} passed, ${s.failed} failed, ${s.errored} errored, ${s.skipped} skipped`,
      `Run:      exit code ${run.exitCode ?? "none"}${run.signal ? ` (signal ${run.signal})` : ""}, ${run.durationMs} ms${run.timedOut ? ", timed out" : ""}`,
      "",
      ...formatTestTable(feedback.tests),
    );
    if (feedback.notGraded?.length) {
      lines.push("", `Not graded (tests the PIT does not expect): ${feedback.notGraded.map((t) => (t.suite ? `${t.suite} > ${t.name}` : t.name)).join(", ")}`);
    }
    if (feedback.ignoredFiles?.length) {
      lines.push("", `Files not used (${feedback.ignoredFileCount ?? feedback.ignoredFiles.length}):`);
      for (const f of feedback.ignoredFiles) lines.push(`  ${f.path}: ${f.reason}`);
    }
    const showTail = !options.showOutput && feedback.outcome !== "passed";
    if (options.showOutput || showTail) {
      const { text, cut } = options.showOutput ? { text: run.output, cut: false } : tail(run.output, TAIL_LINES);
      lines.push(
        "",
        cut ? `----- last ${TAIL_LINES} lines of the test output (--output shows all) -----` : "----- test output -----",
        text,
        "----- end of output -----",
      );
    }
  }
  return lines;
}
