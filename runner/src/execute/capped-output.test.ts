import { describe, expect, it } from "vitest";
import { CappedOutput } from "./capped-output";

describe("CappedOutput", () => {
  it("keeps everything under the cap", () => {
    const out = new CappedOutput(100);
    out.write(Buffer.from("hello "));
    out.write(Buffer.from("world"));
    expect(out.toString()).toBe("hello world");
    expect(out.truncated).toBe(false);
  });

  it("keeps the head and the tail and marks the cut", () => {
    const out = new CappedOutput(20);
    out.write(Buffer.from("0123456789"));
    for (let i = 0; i < 1000; i += 1) out.write(Buffer.from("x"));
    out.write(Buffer.from("abcdefghij"));
    const text = out.toString();
    expect(out.truncated).toBe(true);
    expect(out.totalBytes).toBe(1020);
    expect(text.startsWith("0123456789")).toBe(true);
    expect(text.endsWith("abcdefghij")).toBe(true);
    expect(text).toContain("1000 bytes omitted");
  });

  it("handles one chunk larger than the whole cap", () => {
    const out = new CappedOutput(10);
    out.write(Buffer.from("AAAAAbbbbbbbbbbbbbbbbbbbbCCCCC"));
    expect(out.toString()).toMatch(/^AAAAA\n\n\[\.\.\. output cut by the runner: 20 bytes omitted \.\.\.\]\n\nCCCCC$/);
  });
});
