import { describe, expect, it } from "vitest";
import { checkEntryName, findOverlap, isPlainFileOrFolder, NameRegistry } from "./entry-checks";

describe("checkEntryName", () => {
  it.each([
    ["../x", /outside/],
    ["a/../../x", /outside/],
    ["..", /outside/],
    ["./", /outside/],
    ["/etc/passwd", /absolute/],
    ["a\\..\\x", /backslash/],
    ["C:/x", /drive letter/],
    ["c:x", /drive letter/],
    ["a\u0000b", /control/],
    ["", /empty name/],
    [`${"a".repeat(256)}.txt`, /too long/],
  ])("refuses %j", (name, reason) => {
    const result = checkEntryName(name);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it("accepts ordinary names and normalizes harmless ./ segments", () => {
    expect(checkEntryName("src/main/App.java")).toEqual({ ok: true, relative: "src/main/App.java", isDirectory: false });
    expect(checkEntryName("./src/")).toEqual({ ok: true, relative: "src", isDirectory: true });
    expect(checkEntryName("a..b/c")).toMatchObject({ ok: true, relative: "a..b/c" });
  });
});

describe("isPlainFileOrFolder", () => {
  it("accepts regular files, folders and unrecorded types, and nothing else", () => {
    expect(isPlainFileOrFolder(0, false)).toBe(true);
    expect(isPlainFileOrFolder(0o100644 << 16, false)).toBe(true);
    expect(isPlainFileOrFolder((0o040755 << 16) >>> 0, true)).toBe(true);
    expect(isPlainFileOrFolder((0o120777 << 16) >>> 0, false)).toBe(false);
    expect(isPlainFileOrFolder((0o040755 << 16) >>> 0, false)).toBe(false);
    expect(isPlainFileOrFolder((0o060644 << 16) >>> 0, false)).toBe(false);
  });
});

describe("NameRegistry", () => {
  it("allows a folder named by its files and by an explicit entry", () => {
    const names = new NameRegistry();
    expect(names.add("src/a.js", false, "src/a.js")).toBeUndefined();
    expect(names.add("src", true, "src/")).toBeUndefined();
  });

  it("refuses exact, case and normalization duplicates and file/folder clashes", () => {
    const names = new NameRegistry();
    names.add("A.java", false, "A.java");
    expect(names.add("a.java", false, "a.java")).toMatch(/twice/);
    names.add("caf\u00e9", false, "caf\u00e9");
    expect(names.add("cafe\u0301", false, "cafe\u0301")).toMatch(/twice/);
    names.add("lib", false, "lib");
    expect(names.add("lib/x.js", false, "lib/x.js")).toMatch(/also a file/);
    names.add("dir/x.js", false, "dir/x.js");
    expect(names.add("dir", false, "dir")).toMatch(/both a file and a folder/);
  });
});

describe("findOverlap", () => {
  it("finds entries sharing bytes, in any order, and passes adjacent ones", () => {
    expect(findOverlap([{ name: "a", start: 0, end: 10 }, { name: "b", start: 10, end: 20 }])).toBeUndefined();
    const overlap = findOverlap([{ name: "b", start: 5, end: 20 }, { name: "a", start: 0, end: 10 }]);
    expect(overlap?.map((r) => r.name)).toEqual(["a", "b"]);
  });
});
