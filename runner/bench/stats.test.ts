import { describe, expect, it } from "vitest";
import { median, percentile, round } from "./stats";

describe("percentile", () => {
  it("uses the nearest rank on unsorted input", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(median([3, 1, 2])).toBe(2);
  });

  it("is NaN for no values and does not reorder its input", () => {
    expect(percentile([], 50)).toBeNaN();
    const input = [3, 1, 2];
    percentile(input, 50);
    expect(input).toEqual([3, 1, 2]);
    expect(round(1.26, 1)).toBe(1.3);
  });
});
