import { describe, expect, it } from "vitest";
import { SlotPool } from "./slot-pool";

describe("SlotPool", () => {
  it("gives distinct slots, reuses the lowest freed one and refuses beyond its size", () => {
    const pool = new SlotPool(2);
    expect(pool.acquire()).toBe(0);
    expect(pool.acquire()).toBe(1);
    expect(() => pool.acquire()).toThrow(/busy/);
    pool.release(0);
    expect(pool.acquire()).toBe(0);
  });

  it("releases the slot even when the work fails", async () => {
    const pool = new SlotPool(1);
    await expect(pool.with(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(pool.acquire()).toBe(0);
  });
});
