import { describe, expect, it } from "vitest";
import { forEachBounded } from "./bounded";

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

describe("forEachBounded", () => {
  it("never has more than `limit` tasks in flight and runs every item", async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await tick();
      inFlight -= 1;
      done.push(n);
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("rejects with the first failure after the tasks already started have settled, and starts no more", async () => {
    const started: number[] = [];
    let settled = 0;
    const run = forEachBounded([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await tick();
      settled += 1;
      if (n === 2) throw new Error("boom 2");
    });
    await expect(run).rejects.toThrow("boom 2");
    expect(settled).toBe(started.length);
    expect(started.length).toBeLessThan(6);
  });
});
