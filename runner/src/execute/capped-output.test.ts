import { describe, expect, it } from "vitest";
import { CappedOutput, MarkedLines } from "./capped-output";

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

describe("MarkedLines", () => {
  const M = "@@mark ";
  /** Writes `text` in pieces of `size` bytes, as a pipe may deliver it. */
  function feed(lines: MarkedLines, text: string, size: number): MarkedLines {
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += size) lines.write(bytes.subarray(i, i + size));
    lines.end();
    return lines;
  }
  const TEXT = `noise\n${M}one 1\n@@mar not it\n @@mark indented is not it\nx${M}mid-line is not it\n${M}two 2\n@@\n${M}\n${M}three`;

  it.each([1, 2, 3, 7, 1000])("keeps whole marked lines only, however the stream is split (%i-byte chunks)", (size) => {
    const lines = feed(new MarkedLines(M), TEXT, size);
    expect(lines.toString()).toBe(`${M}one 1\n${M}two 2\n${M}\n`);
    // The last line never ended (the process died writing it): kept out, and said so.
    expect(lines.truncated).toBe(true);
  });

  it("keeps the first lines up to its bound, whole, and says when it lost the rest", () => {
    const first = `${M}${"a".repeat(20)}\n`;
    const lines = feed(new MarkedLines(M, 60), `${first}${first}${first}${M}short\n`, 5);
    // The third line does not fit; nothing after it is kept either, though the fourth would have fitted.
    expect(lines.toString()).toBe(first + first);
    expect(lines.truncated).toBe(true);
    expect(feed(new MarkedLines(M, 60), first, 5).truncated).toBe(false);
  });

  it("costs its bound, not the stream: a marked line of gigabytes without a newline is not kept", () => {
    const lines = new MarkedLines(M, 1000);
    lines.write(Buffer.from(`${M}ok\n${M}`));
    const junk = Buffer.alloc(1024 * 1024, 0x78);
    for (let i = 0; i < 64; i++) lines.write(junk);
    lines.write(Buffer.from(`\n${M}after\n`));
    lines.end();
    expect(lines.toString()).toBe(`${M}ok\n`);
    expect(lines.truncated).toBe(true);
  });

  it("is not fooled by other output however long, before or after", () => {
    const lines = new MarkedLines(M, 100);
    lines.write(Buffer.alloc(10 * 1024 * 1024, 0x78));
    lines.write(Buffer.from(`\n${M}kept\n`));
    lines.write(Buffer.alloc(10 * 1024 * 1024, 0x0a));
    lines.end();
    expect(lines.toString()).toBe(`${M}kept\n`);
    expect(lines.truncated).toBe(false);
  });
});
