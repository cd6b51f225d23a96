import { expect } from "vitest";
import type { Harness } from "./harness";

/**
 * What a tamper case must end as: refused, naming the file and the API; graded at exactly the honest score; or not
 * graded at all because the PIT itself cannot be graded honestly (ERROR, the instructor's problem, not the student's).
 */
export type Expected = { api: RegExp } | { score: number } | { pitRefused: true } | { reportDistrusted: true };

type Row = Awaited<ReturnType<Harness["api"]["waitForFinal"]>> | undefined;

export const expectationTitle = (expected: Expected) =>
  "api" in expected
    ? `is refused naming the file and the API (${expected.api.source})`
    : "score" in expected
      ? `is DONE with exactly ${expected.score}`
      : "pitRefused" in expected
        ? "is not graded: the PIT is refused"
        : "is not graded: its report contradicts the run";

/** The attack gained nothing: ERROR invalid_submission with the policy's message, or DONE at the honest score. */
export function expectTamperOutcome(row: Row, expected: Expected): void {
  const feedback = row?.feedback as { outcome: string; message: string } | undefined;
  if ("api" in expected) {
    expect({ status: row?.status, outcome: feedback?.outcome }).toEqual({ status: "ERROR", outcome: "invalid_submission" });
    expect(feedback?.message).toMatch(expected.api);
    expect(feedback?.message).toContain("which this exercise does not allow");
  } else if ("score" in expected) {
    expect({ status: row?.status, score: Number(row?.score), outcome: feedback?.outcome }).toEqual({ status: "DONE", score: expected.score, outcome: "failed" });
  } else if ("pitRefused" in expected) {
    expect({ status: row?.status, score: Number(row?.score), outcome: feedback?.outcome }).toEqual({ status: "ERROR", score: 0, outcome: "internal_error" });
    expect(feedback?.message).toMatch(/not set up for automatic grading/);
  } else {
    // A report rewritten after the run, under pytest's own failing exit status: never graded.
    expect({ status: row?.status, score: Number(row?.score), outcome: feedback?.outcome }).toEqual({ status: "ERROR", score: 0, outcome: "invalid_submission" });
    expect(feedback?.message).toMatch(/the report cannot be trusted/);
  }
}
