import { expect } from "vitest";
import type { Harness } from "./harness";

/** What a tamper case must end as: refused, naming the file and the API; or graded at exactly the honest score. */
export type Expected = { api: RegExp } | { score: number };

type Row = Awaited<ReturnType<Harness["api"]["waitForFinal"]>> | undefined;

export const expectationTitle = (expected: Expected) =>
  "api" in expected ? `is refused naming the file and the API (${expected.api.source})` : `is DONE with exactly ${expected.score}`;

/** The attack gained nothing: ERROR invalid_submission with the policy's message, or DONE at the honest score. */
export function expectTamperOutcome(row: Row, expected: Expected): void {
  const feedback = row?.feedback as { outcome: string; message: string } | undefined;
  if ("api" in expected) {
    expect({ status: row?.status, outcome: feedback?.outcome }).toEqual({ status: "ERROR", outcome: "invalid_submission" });
    expect(feedback?.message).toMatch(expected.api);
    expect(feedback?.message).toContain("which this exercise does not allow");
  } else {
    expect({ status: row?.status, score: Number(row?.score), outcome: feedback?.outcome }).toEqual({ status: "DONE", score: expected.score, outcome: "failed" });
  }
}
