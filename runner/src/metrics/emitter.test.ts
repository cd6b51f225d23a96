import { Writable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { createLogger } from "../logging/logger";
import { emfProblems } from "./emf-spec";
import { MetricsEmitter, startSlotsGauge } from "./emitter";

/** The raw lines the one root logger writes, as awslogs would ship them. */
function capture(level: Parameters<typeof createLogger>[0] = "info") {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

const T = Date.parse("2026-12-01T10:00:00.000Z");

describe("MetricsEmitter", () => {
  it("writes each record as one pino line that is a valid EMF document, with the logger's bindings", () => {
    const { logger, lines } = capture();
    const log = logger.child({ submissionId: "0b7c6f5e-3f0e-4c71-9f55-2f0f4b6f7a10", messageId: "m-1" });
    new MetricsEmitter("Runner", () => T).submission(log, {
      pitId: "javascript-node-dummy-dev",
      outcome: "passed",
      status: "DONE",
      createdAt: new Date(T - 2000).toISOString(),
      receivedAt: T - 1500,
      timings: { run: 400, grade: 3 },
    });
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(emfProblems(record)).toEqual([]);
    expect(record).toMatchObject({
      event: "metrics",
      metricSet: "submission",
      submissionId: "0b7c6f5e-3f0e-4c71-9f55-2f0f4b6f7a10",
      StudentLatency: 2000,
      QueueWait: 500,
      _aws: { Timestamp: T },
    });
    // pino writes a key twice when a binding and a member share it; the EMF names never meet pino's own.
    const keys = [...line.matchAll(/"([^"]+)":/g)].map((m) => m[1]);
    const topLevel = Object.keys(record);
    for (const key of topLevel) expect(keys.filter((k) => k === key), key).toHaveLength(1);
  });

  it("keeps writing metrics when RUNNER_LOG_LEVEL is above info, and stops with silent", () => {
    const warn = capture("warn");
    new MetricsEmitter("Runner", () => T).retry(warn.logger.child({ submissionId: "s" }), { delaySeconds: 10, receiveCount: 1 });
    expect(warn.lines).toHaveLength(1);
    expect(JSON.parse(warn.lines[0]!)).toMatchObject({ Retries: 1, submissionId: "s" });
    const silent = capture("silent");
    new MetricsEmitter("Runner", () => T).retry(silent.logger, { delaySeconds: 10, receiveCount: 1 });
    expect(silent.lines).toEqual([]);
  });

  it("writes nothing when a record has no metric", () => {
    const { logger, lines } = capture();
    new MetricsEmitter("Runner").sandboxLeftovers(logger, { uid: 1 });
    expect(lines).toEqual([]);
  });
});

describe("startSlotsGauge", () => {
  it("samples at start and every interval until stopped", () => {
    vi.useFakeTimers();
    try {
      const { logger, lines } = capture();
      let inFlight = 0;
      const stop = startSlotsGauge({ emitter: new MetricsEmitter("Runner"), log: logger, intervalSeconds: 60, slots: 2, inFlight: () => inFlight });
      inFlight = 2;
      vi.advanceTimersByTime(120_000);
      stop();
      vi.advanceTimersByTime(120_000);
      expect(lines.map((l) => (JSON.parse(l) as { InFlight: number }).InFlight)).toEqual([0, 2, 2]);
      expect(JSON.parse(lines[1]!)).toMatchObject({ Slots: 2, SlotUtilization: 100 });
    } finally {
      vi.useRealTimers();
    }
  });
});
