import { describe, expect, it } from "vitest";
import type { PitConfig } from "../../pit-config/interfaces/pit-config.interface";
import { createPolicy } from "../policy";
import { analyseJavaScript, parseJavaScript } from "./js-analyser";
import { normaliseSpecifier } from "./js-paths";
import { JS_DEFAULT_DENY } from "./js-rules";

/** The denied uses of a source, as `line:rule` strings. */
function denied(source: string, file = "solution.js", codePolicy?: PitConfig["codePolicy"]): string[] {
  const policy = createPolicy(JS_DEFAULT_DENY, codePolicy);
  return analyseJavaScript(source, file).flatMap((use) => {
    const rule = policy.deniedBy(use.key);
    return rule === undefined ? [] : [`${use.line}:${rule}`];
  });
}

describe("normaliseSpecifier", () => {
  it("names built-in modules node:<name>, with or without the scheme, and leaves the others alone", () => {
    expect(normaliseSpecifier("child_process")).toBe("node:child_process");
    expect(normaliseSpecifier("node:child_process")).toBe("node:child_process");
    expect(normaliseSpecifier("assert/strict")).toBe("node:assert/strict");
    expect(normaliseSpecifier("node:test")).toBe("node:test");
    expect(normaliseSpecifier("./helper.js")).toBe("./helper.js");
    expect(normaliseSpecifier("lodash")).toBe("lodash");
  });
});

describe("parseJavaScript", () => {
  it("reads CommonJS and ESM, and gives up (no finding) on a file that parses as neither", () => {
    expect(parseJavaScript("return 1;", "a.js")).toBeDefined();
    expect(parseJavaScript("import x from 'y'; export default x;", "a.js")).toBeDefined();
    expect(parseJavaScript("const x = await import('node:fs');", "a.mjs")).toBeDefined();
    expect(parseJavaScript("function (", "a.js")).toBeUndefined();
    expect(analyseJavaScript("const fs = require('child_process'); function (", "a.js")).toEqual([]);
  });
});

describe("analyseJavaScript with the default deny list", () => {
  it("denies the test frameworks, the loader and process modules in every form", () => {
    expect(denied('const assert = require("assert");')).toEqual(["1:node:assert"]);
    expect(denied('const a = require("node:assert/strict");')).toEqual(["1:node:assert"]);
    expect(denied('import { strictEqual } from "node:assert";', "a.mjs")).toEqual(["1:node:assert", "1:node:assert"]);
    expect(denied('import assert from "assert";', "a.mjs")).toEqual(["1:node:assert"]);
    expect(denied('const { test } = require("node:test");')).toEqual(["1:node:test", "1:node:test"]);
    expect(denied('const cp = require("child_process"); cp.execSync("id");')).toEqual(["1:node:child_process", "1:node:child_process"]);
    expect(denied('import("vm").then((vm) => vm.runInThisContext("1"));')).toEqual(["1:node:vm", "1:node:vm"]);
    expect(denied('export * from "worker_threads";', "a.mjs")).toEqual(["1:node:worker_threads"]);
    expect(denied('const M = module.require("module");')).toEqual(["1:require(computed)", "1:module.require", "1:node:module"]);
  });

  it("denies loads it cannot name", () => {
    expect(denied('const name = "ass" + "ert"; require(name);')).toEqual(["1:require(computed)"]);
    expect(denied("import(`node:${x}`);", "a.mjs")).toEqual(["1:import(computed)"]);
    // An alias is followed (its loads are named); require passed around any other way is not.
    expect(denied("const r = require; r('child_process');")).toEqual(["1:node:child_process"]);
    expect(denied("[require][0]('x');")).toEqual(["1:require(computed)"]);
    expect(denied("require.cache[k] = {};")).toEqual(["1:require.cache", "1:write/"]);
    // require called so that the check cannot see its argument.
    expect(denied('require.call(null, "child_process");')).toEqual(["1:require(computed)"]);
    expect(denied('require.apply(null, ["child_process"]);')).toEqual(["1:require(computed)"]);
    expect(denied('const r = require.bind(null); r("x");')).toEqual(["1:require(computed)"]);
    expect(denied("require.resolve(name);")).toEqual(["1:require(computed)"]);
    expect(denied('require.resolve("./helper");')).toEqual([]);
  });

  it("denies code from strings and the roads to Function", () => {
    expect(denied('eval("1")')).toEqual(["1:eval"]);
    expect(denied('Function("return process")()')).toEqual(["1:Function"]);
    expect(denied('new Function("return 1")')).toEqual(["1:Function"]);
    expect(denied('(() => {}).constructor("return process")()')).toEqual(["1:Function"]);
    expect(denied('[].constructor.constructor("return this")()')).toEqual(["1:Function"]);
    expect(denied('new (Object.getPrototypeOf(async function () {}).constructor)("x")')).toEqual(["1:Function"]);
    expect(denied("globalThis.eval('1')")).toEqual(["1:eval"]);
    expect(denied("function f() { return f.caller; }")).toEqual(["1:Function"]);
  });

  it("denies process internals, exits, exit hooks and raw writes to the test runner's stdout", () => {
    expect(denied('process.binding("fs")')).toEqual(["1:process.binding"]);
    expect(denied("const p = process; p.exit(0);")).toEqual(["1:process.exit"]);
    expect(denied("const { reallyExit } = process;")).toEqual(["1:process.reallyExit"]);
    expect(denied("process.on('exit', () => {})")).toEqual(["1:process.on"]);
    expect(denied("process.stdout.write(Buffer.from([0xff]))")).toEqual(["1:process.stdout"]);
    expect(denied('console._stdout.write("x")')).toEqual(["1:console._stdout"]);
    expect(denied("const c = console; c._stderr.write('x');")).toEqual(["1:console._stderr"]);
    expect(denied('console["_std" + "out"]')).toEqual(["1:console[computed]"]);
    expect(denied('require("fs").writeSync(1, "x")')).toEqual(["1:node:fs.writeSync"]);
    expect(denied("process[name]()")).toEqual(["1:process[computed]"]);
    expect(denied("globalThis[name]")).toEqual(["1:globalThis[computed]"]);
  });

  it("allows reading files and denies writing them, by function", () => {
    expect(denied('const fs = require("fs"); fs.readFileSync("data.txt", "utf8");')).toEqual([]);
    expect(denied('const { readFileSync } = require("node:fs"); readFileSync("d");')).toEqual([]);
    expect(denied('const fs = require("fs"); fs.openSync("d", "r");')).toEqual([]);
    expect(denied('const fs = require("fs"); fs.writeFileSync("reports/junit.xml", "")')).toEqual(["1:node:fs.writeFileSync"]);
    expect(denied('const { writeFile } = require("fs/promises");')).toEqual(["1:node:fs/promises.writeFile"]);
    expect(denied('const fs = require("fs"); fs.promises.rm("x");')).toEqual(["1:node:fs.promises.rm"]);
    expect(denied('const fs = require("fs"); fs.openSync("d", "w");')).toEqual(["1:node:fs.openSync"]);
    expect(denied('const fs = require("fs"); fs["write" + "FileSync"]("x", "");')).toEqual(["1:node:fs[computed]"]);
    expect(denied('const fs = require("fs"); helper(fs);')).toEqual(["1:node:fs[computed]"]);
  });

  it("names a member read straight off a load as the same API a binding gives (the reviewer's attack)", () => {
    expect(denied('require("fs").renameSync("reports/junit.xml", "x"); require("fs").writeFileSync("reports/junit.xml", "");')).toEqual(["1:node:fs.renameSync", "1:node:fs.writeFileSync"]);
    expect(denied('require("fs")?.unlinkSync("x");')).toEqual(["1:node:fs.unlinkSync"]);
    expect(denied('const w = require("fs").writeFileSync; w("x", "");')).toEqual(["1:node:fs.writeFileSync"]);
    expect(denied('require("fs").promises.writeFile("x", "");')).toEqual(["1:node:fs.promises.writeFile"]);
    expect(denied('new (require("fs").WriteStream)("x");')).toEqual(["1:node:fs.WriteStream"]);
    expect(denied('(await import("fs")).writeFileSync("x", "");', "a.mjs")).toEqual(["1:node:fs.writeFileSync"]);
    expect(denied('(await import("fs")).default.rmSync("x");', "a.mjs")).toEqual(["1:node:fs.rmSync"]);
    expect(denied('const m = await import("fs"); m.default.appendFileSync("x", "");', "a.mjs")).toEqual(["1:node:fs.appendFileSync"]);
    expect(denied('import("node:fs").then((m) => m.writeFileSync("x", ""));')).toEqual(["1:node:fs.writeFileSync"]);
    expect(denied('import("node:fs").then(function ({ renameSync }) { renameSync("a", "b"); });')).toEqual(["1:node:fs.renameSync"]);
    expect(denied('let fs; fs = require("fs"); fs.unlinkSync("x");')).toEqual(["1:node:fs.unlinkSync"]);
    expect(denied('import fs from "fs"; fs.default.writeFileSync("x", "");', "a.mjs")).toEqual(["1:node:fs.writeFileSync"]);
    // Reads stay allowed however fs is reached.
    expect(denied('require("fs").readFileSync("data.txt", "utf8"); require("fs").openSync("d");')).toEqual([]);
    expect(denied('const data = (await import("node:fs")).readFileSync("d", "utf8");', "a.mjs")).toEqual([]);
    expect(denied('import("fs").then((m) => m.readFileSync("d"));')).toEqual([]);
  });

  it("counts a built-in module's object used any other way than a binding or a member read as a computed use", () => {
    expect(denied('helper(require("fs"));')).toEqual(["1:node:fs[computed]"]);
    expect(denied('module.exports = require("fs");')).toEqual(["1:node:fs[computed]"]);
    expect(denied('Object.values(require("fs"))[0]("x");')).toEqual(["1:node:fs[computed]"]);
    expect(denied('require("fs")[name]("x");')).toEqual(["1:node:fs[computed]"]);
    expect(denied('import("fs").then(doIt);')).toEqual(["1:node:fs[computed]"]);
    expect(denied('const p = import("fs"); p.then((m) => m.x);')).toEqual(["1:node:fs[computed]"]);
    expect(denied('export * from "fs";', "a.mjs")).toEqual(["1:node:fs[computed]"]);
    expect(denied('export { writeFileSync } from "fs";', "a.mjs")).toEqual(["1:node:fs.writeFileSync"]);
    expect(denied('import fs from "fs"; export { fs };', "a.mjs")).toEqual(["1:node:fs[computed]"]);
    // Other modules' objects may go anywhere; so may fs's allowed members.
    expect(denied('helper(require("path")); module.exports = require("./other");')).toEqual([]);
    expect(denied('import { readFileSync } from "fs"; export { readFileSync };', "a.mjs")).toEqual([]);
  });

  it("denies changing built-ins, globals and built-in modules' exports", () => {
    expect(denied("Array.prototype.map = function () {};")).toEqual(["1:write/"]);
    expect(denied("globalThis.test = () => {};")).toEqual(["1:write/"]);
    expect(denied('Object.defineProperty(Error, "prepareStackTrace", { value: 1 });')).toEqual(["1:write/"]);
    expect(denied('const path = require("path"); path.join = () => "";')).toEqual(["1:write/"]);
    expect(denied("delete Object.prototype.toString;")).toEqual(["1:write/"]);
    expect(denied("Reflect.set(a, 'b', 1);")).toEqual(["1:Reflect"]);
  });

  it("lets a PIT allow an API back, most specific entry winning", () => {
    expect(denied('const { Worker } = require("worker_threads");', "a.js", { allow: ["node:worker_threads"] })).toEqual([]);
    expect(denied('require("assert")', "a.js", { allow: ["node:assert"] })).toEqual([]);
    expect(denied("Math.random()", "a.js", { deny: ["Math.random"] })).toEqual(["1:Math.random"]);
  });

  it("finds nothing in idiomatic solutions", () => {
    const solutions = [
      // Classes, inheritance, getters, static members, private fields, valueOf/toString/equals overrides.
      `class Shape { #id; static count = 0; constructor(n) { this.name = n; this.#id = Shape.count++; }
       get id() { return this.#id; } area() { throw new Error("abstract"); } toString() { return \`\${this.name}\`; } }
       class Square extends Shape { constructor(s) { super("square"); this.s = s; } area() { return this.s ** 2; }
       valueOf() { return this.area(); } equals(o) { return o instanceof Square && o.s === this.s; }
       clone() { return new this.constructor(this.s); } }
       module.exports = { Shape, Square };`,
      // Recursion, closures, arrow functions, array methods, destructuring, spread, Map/Set, template literals.
      `const fib = (n, memo = new Map()) => n < 2 ? n : memo.get(n) ?? (memo.set(n, fib(n - 1, memo) + fib(n - 2, memo)), memo.get(n));
       function groupBy(xs, f) { return xs.reduce((acc, x) => { (acc[f(x)] ??= []).push(x); return acc; }, {}); }
       const uniq = (xs) => [...new Set(xs)]; const { max, min } = Math;
       exports.fib = fib; exports.groupBy = groupBy; exports.uniq = uniq; exports.range = (a) => \`\${min(...a)}-\${max(...a)}\`;`,
      // Exceptions, JSON, reading a data file, ESM exports, async code.
      `import { readFileSync } from "node:fs"; import path from "node:path"; import { fileURLToPath } from "node:url";
       const here = path.dirname(fileURLToPath(import.meta.url));
       export class ParseError extends Error { constructor(m) { super(m); this.name = "ParseError"; } }
       export function load() { try { return JSON.parse(readFileSync(path.join(here, "data.json"), "utf8")); }
       catch (e) { throw new ParseError(String(e.message)); } }
       export const later = async (x) => { await new Promise((r) => setTimeout(r, 1)); return x; };`,
      `const util = require("node:util"); const { EventEmitter } = require("node:events");
       class Counter extends EventEmitter { inc() { this.emit("inc"); return this; } }
       module.exports = { Counter, show: (x) => util.inspect(x), env: process.env.HOME, args: process.argv.length };`,
    ];
    for (const [i, source] of solutions.entries()) expect(denied(source, i === 2 ? "s.mjs" : "s.js")).toEqual([]);
  });
});
