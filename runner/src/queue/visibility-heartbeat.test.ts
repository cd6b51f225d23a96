import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withHeartbeat, type HeartbeatOptions } from "./visibility-heartbeat";

const log = pino({ level: "silent" });

function recorder() {
  const calls: number[] = [];
  const options: HeartbeatOptions = {
    intervalSeconds: 2,
    extendToSeconds: 4,
    extend: async (seconds) => void calls.push(seconds),
    log,
  };
  return { calls, options };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("withHeartbeat", () => {
  it("extends the visibility every interval while the work runs", async () => {
    const { calls, options } = recorder();
    const work = withHeartbeat(options, () => new Promise((resolve) => setTimeout(() => resolve("graded"), 7000)));
    await vi.advanceTimersByTimeAsync(7000);
    await expect(work).resolves.toBe("graded");
    expect(calls).toEqual([4, 4, 4]);
  });

  it("stops beating once the work has returned", async () => {
    const { calls, options } = recorder();
    await withHeartbeat(options, async () => "quick");
    await vi.advanceTimersByTimeAsync(20_000);
    expect(calls).toEqual([]);
  });

  it("stops beating when the work throws", async () => {
    const { calls, options } = recorder();
    const work = withHeartbeat(options, () => new Promise((_, reject) => setTimeout(() => reject(new Error("boom")), 3000)));
    const settled = expect(work).rejects.toThrow("boom");
    await vi.advanceTimersByTimeAsync(3000);
    await settled;
    const beats = calls.length;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(beats).toBe(1);
    expect(calls.length).toBe(beats);
  });

  it("keeps beating after a failed extension and waits for a beat in flight before returning", async () => {
    let attempts = 0;
    let landed = 0;
    const options: HeartbeatOptions = {
      intervalSeconds: 1,
      extendToSeconds: 2,
      extend: (seconds) => {
        attempts += 1;
        if (attempts === 1) return Promise.reject(new Error("SQS unavailable"));
        return new Promise((resolve) => setTimeout(() => (landed += seconds, resolve()), 500));
      },
      log,
    };
    const work = withHeartbeat(options, () => new Promise((resolve) => setTimeout(resolve, 2200)));
    let done = false;
    void work.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(2200);
    // The second beat (sent at 2000 ms) is still on the wire: the work is not reported done before it lands.
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    expect(done).toBe(true);
    expect(attempts).toBe(2);
    expect(landed).toBe(2);
  });

  it("runs the work without a heartbeat when none is configured", async () => {
    await expect(withHeartbeat(undefined, async () => 42)).resolves.toBe(42);
  });
});
