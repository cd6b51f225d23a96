import { describe, expect, it } from "vitest";
import { decideFailure, retryDelaySeconds, type FailurePolicy } from "./failure-policy";

const policy: FailurePolicy = { mode: "retry", maxReceives: 5, retryBaseDelaySeconds: 10, retryMaxDelaySeconds: 300 };
const transient = (receiveCount: number) => ({ kind: "transient" as const, receiveCount, interrupted: false });

describe("decideFailure", () => {
  it("records a permanent failure on the first attempt", () => {
    expect(decideFailure({ kind: "permanent", receiveCount: 1, interrupted: false }, policy)).toEqual({ action: "record" });
  });

  it("leaves a transient failure for a later attempt with a growing delay", () => {
    expect(decideFailure(transient(1), policy)).toEqual({ action: "retry", delaySeconds: 10, reason: "transient" });
    expect(decideFailure(transient(2), policy)).toEqual({ action: "retry", delaySeconds: 20, reason: "transient" });
    expect(decideFailure(transient(4), policy)).toEqual({ action: "retry", delaySeconds: 80, reason: "transient" });
  });

  it("records a transient failure at the last attempt and after it", () => {
    expect(decideFailure(transient(5), policy)).toEqual({ action: "record" });
    expect(decideFailure(transient(9), policy)).toEqual({ action: "record" });
  });

  it("records every failure at once in error mode", () => {
    expect(decideFailure(transient(1), { ...policy, mode: "error" })).toEqual({ action: "record" });
  });

  it("makes an interrupted attempt visible again at once, in either mode and even at the last attempt", () => {
    const facts = { kind: "transient" as const, receiveCount: 5, interrupted: true };
    expect(decideFailure(facts, policy)).toEqual({ action: "retry", delaySeconds: 0, reason: "shutdown" });
    expect(decideFailure({ ...facts, kind: "permanent" }, { ...policy, mode: "error" })).toMatchObject({ delaySeconds: 0 });
  });
});

describe("retryDelaySeconds", () => {
  it("doubles per delivery up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelaySeconds(n, policy))).toEqual([10, 20, 40, 80, 160, 300, 300]);
  });

  it("stays within SQS's 12 hour limit and survives huge receive counts", () => {
    const huge = { ...policy, retryMaxDelaySeconds: 10 ** 9 };
    expect(retryDelaySeconds(1000, huge)).toBe(43_200);
  });

  it("treats a missing or zero receive count as the first delivery", () => {
    expect(retryDelaySeconds(0, policy)).toBe(10);
  });
});
