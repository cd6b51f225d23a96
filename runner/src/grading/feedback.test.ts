import { describe, expect, it } from "vitest";
import { cleanText, scoreOf } from "./feedback";

describe("scoreOf", () => {
  it("is 100 * passed / counted, two decimals; a skipped counted test is not passed", () => {
    expect(scoreOf({ total: 3, passed: 2, failed: 1, errored: 0, skipped: 0 })).toBe(66.67);
    expect(scoreOf({ total: 4, passed: 3, failed: 0, errored: 0, skipped: 1 })).toBe(75);
    expect(scoreOf({ total: 7, passed: 1, failed: 6, errored: 0, skipped: 0 })).toBe(14.29);
  });

  it("is 0 when no test ran", () => {
    expect(scoreOf({ total: 0, passed: 0, failed: 0, errored: 0, skipped: 0 })).toBe(0);
    expect(scoreOf({ total: 2, passed: 0, failed: 0, errored: 0, skipped: 2 })).toBe(0);
  });
});

describe("cleanText", () => {
  it("removes NUL and control characters and caps the length", () => {
    expect(cleanText("a\u0000b\u0007c\n")).toBe("abc");
    expect(cleanText("x".repeat(50), 10)).toBe(`${"x".repeat(9)}…`);
  });
});
