import { describe, expect, it } from "vitest";
import { extractCompileErrors, relativize } from "./compile-errors";

const WS = "/var/runner/work/1234";

describe("extractCompileErrors", () => {
  it("takes Maven's compiler lines, without colours, paths or duplicates", () => {
    const output = [
      "[\u001b[1;31mERROR\u001b[m] COMPILATION ERROR : ",
      `[\u001b[1;31mERROR\u001b[m] ${WS}/src/main/java/A.java:[8,26] ';' expected`,
      `[\u001b[1;31mERROR\u001b[m] ${WS}/src/main/java/A.java:[12,5] cannot find symbol`,
      "[\u001b[1;31mERROR\u001b[m] Failed to execute goal ... Compilation failure",
      `[\u001b[1;31mERROR\u001b[m] \u001b[1;31m${WS}/src/main/java/A.java:[8,26] ';' expected\u001b[m`,
    ].join("\n");
    expect(extractCompileErrors(output, WS)).toEqual([
      "src/main/java/A.java:8:26: ';' expected",
      "src/main/java/A.java:12:5: cannot find symbol",
    ]);
  });

  it("reads plain javac", () => {
    expect(extractCompileErrors(`${WS}/Main.java:3: error: class, interface, enum, or record expected\n}\n^`, WS)).toEqual([
      "Main.java:3: class, interface, enum, or record expected",
    ]);
  });

  it("reads a Python SyntaxError as pytest shows it", () => {
    const output = `E     File "${WS}/shapes.py", line 2\nE       def f(a)\nE               ^\nE   SyntaxError: expected ':'`;
    expect(extractCompileErrors(output, WS)).toEqual(["shapes.py:2: SyntaxError: expected ':'"]);
  });

  it("reads a node SyntaxError", () => {
    const output = `${WS}/calc.js:5\n  multiply: (a, b) => a * b,\n  ^^^^^^^^\n\nSyntaxError: Unexpected identifier 'multiply'\n    at wrapSafe (node:internal)`;
    expect(extractCompileErrors(output, WS)).toEqual(["calc.js:5: SyntaxError: Unexpected identifier 'multiply'"]);
  });

  it("keeps only the first five and finds nothing in ordinary output", () => {
    const many = Array.from({ length: 9 }, (_, i) => `[ERROR] ${WS}/A.java:[${i + 1},1] bad`).join("\n");
    expect(extractCompileErrors(many, WS)).toHaveLength(5);
    expect(extractCompileErrors("Tests run: 3, Failures: 1", WS)).toEqual([]);
  });
});

describe("relativize", () => {
  it("removes the workspace prefix wherever it appears", () => {
    expect(relativize(`at ${WS}/a/b.js:1 and ${WS}`, WS)).toBe("at a/b.js:1 and .");
  });
});
