import { describe, expect, it } from "vitest";
import { pitDimension, slotsRecord, submissionLatency, submissionRecord } from "./records";

const T = Date.parse("2026-12-01T10:00:00.000Z");

describe("submission metrics", () => {
  it("measures the student's wait from createdAt and the queue wait to the receive", () => {
    expect(submissionLatency({ createdAt: "2026-12-01T09:59:00.000Z", receivedAt: T - 45_000, recordedAt: T })).toEqual({
      studentLatencyMs: 60_000,
      queueWaitMs: 15_000,
    });
  });

  it("never reports a negative wait when the API's clock runs ahead", () => {
    expect(submissionLatency({ createdAt: "2026-12-01T10:00:02.000Z", receivedAt: T - 1000, recordedAt: T })).toEqual({
      studentLatencyMs: 0,
      queueWaitMs: 0,
    });
  });

  it("takes the run and grade durations from the pipeline's stage timings", () => {
    const record = submissionRecord("Runner", {
      pitId: "python-pytest-dummy-dev",
      outcome: "failed",
      status: "DONE",
      createdAt: new Date(T - 5000).toISOString(),
      receivedAt: T - 4000,
      recordedAt: T,
      timings: { claim: 3, run: 2500.5, grade: 4.2, record: 2 },
    });
    expect(record).toMatchObject({
      PitId: "python-pytest-dummy-dev",
      Outcome: "failed",
      StudentLatency: 5000,
      QueueWait: 1000,
      RunDuration: 2500.5,
      GradeDuration: 4.2,
      Submissions: 1,
      SubmissionsErrored: 0,
      metricSet: "submission",
      _aws: { Timestamp: T },
    });
    expect(record).not.toHaveProperty("claim");
  });

  it("folds a PIT id that is not a plain id into one value", () => {
    expect(pitDimension("java-maven-dummy-dev")).toBe("java-maven-dummy-dev");
    expect(pitDimension("../../etc/passwd")).toBe("other");
    expect(pitDimension("é".repeat(3))).toBe("other");
    expect(pitDimension("x".repeat(200))).toBe("other");
    const record = submissionRecord("Runner", { pitId: "a b", outcome: "whatever", status: "ERROR", recordedAt: T });
    expect(record).toMatchObject({ PitId: "other", Outcome: "other", SubmissionsErrored: 1 });
  });
});

describe("slot gauge", () => {
  it("reports in-flight messages, slots and their use in percent", () => {
    expect(slotsRecord("Runner", T, { inFlight: 1, slots: 3 })).toMatchObject({ InFlight: 1, Slots: 3, SlotUtilization: 33.3 });
  });
});
