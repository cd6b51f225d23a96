import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../logging/logger";
import { MetricsEmitter } from "./emitter";
import { readSubmissionLatency } from "./read-line";

describe("readSubmissionLatency", () => {
  it("reads back what the emitter wrote for a submission", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        callback();
      },
    });
    const log = createLogger("info", sink).child({ submissionId: "s-1" });
    const now = Date.parse("2026-12-01T10:00:00.000Z");
    const emitter = new MetricsEmitter("Runner", () => now);
    emitter.retry(log, { delaySeconds: 1, receiveCount: 1 });
    emitter.submission(log, { pitId: "p", outcome: "passed", status: "DONE", createdAt: new Date(now - 1234).toISOString(), receivedAt: now - 1000 });
    log.info({ event: "recorded" }, "result recorded");
    expect(lines.map(readSubmissionLatency).filter(Boolean)).toEqual([{ submissionId: "s-1", studentLatencyMs: 1234, queueWaitMs: 234 }]);
  });

  it("ignores lines that are not a submission's metrics", () => {
    expect(readSubmissionLatency("not json")).toBeUndefined();
    expect(readSubmissionLatency('{"metricSet":"submission"')).toBeUndefined();
    expect(readSubmissionLatency('{"event":"metrics","metricSet":"submission","submissionId":"s"}')).toBeUndefined();
  });
});
