/* Runner-owned preload (NODE_OPTIONS=--require <this>): the runtime half of the JavaScript code policy. */
/* eslint-disable @typescript-eslint/no-require-imports */
/* global process, require, URL */
"use strict";

/*
 * Loaded by node before any module of the run, in the `node --test` parent and in every per-file child (they
 * inherit NODE_OPTIONS), so it is in place before the instructor's test file requires the solution. It
 *  - freezes node:assert, node:assert/strict and node:test and their exports, so a solution cannot replace
 *    assertions with no-ops (assignment throws in strict code and is ignored in sloppy code);
 *  - freezes the CommonJS loader's hooks (Module._load, _resolveFilename, _extensions, prototype.require...),
 *    after wrapping Module._load so that a student file cannot require the modules the PIT's policy denies;
 *  - removes process.binding, _linkedBinding and dlopen, and guards process.getBuiltinModule the same way;
 *  - while the policy denies eval and Function, replaces them (and every function's .constructor) by a refusal.
 * What is frozen cannot be thawed, and nothing of the student's runs before this file, so it cannot be undone.
 * Configuration (runner-written environment): RUNNER_GUARD_ROOT (the workspace), RUNNER_GUARD_FILES (JSON list
 * of the student's code files, relative; "*" = every file under the root except RUNNER_GUARD_TRUSTED's),
 * RUNNER_GUARD_POLICY (JSON {modules: [bare names refused], globals: [process members removed],
 * noCodeFromStrings: bool}).
 */
(function installGuard() {
  const path = require("node:path");
  const Module = require("node:module");
  const env = process.env;
  const root = env.RUNNER_GUARD_ROOT;
  if (!root) return;
  const parseList = (text) => {
    try {
      const value = JSON.parse(text || "[]");
      return Array.isArray(value) ? value : [];
    } catch {
      return [];
    }
  };
  const everything = env.RUNNER_GUARD_FILES === "*";
  const files = new Set(everything ? [] : parseList(env.RUNNER_GUARD_FILES).map((f) => path.join(root, f)));
  const trusted = new Set(parseList(env.RUNNER_GUARD_TRUSTED).map((f) => path.join(root, f)));
  let policy = { modules: [], globals: [] };
  try {
    policy = { ...policy, ...JSON.parse(env.RUNNER_GUARD_POLICY || "{}") };
  } catch {
    // Malformed: keep the defaults above (nothing refused beyond the freezes, which always apply).
  }
  const deniedModules = new Set(policy.modules);
  const rootPrefix = root.endsWith(path.sep) ? root : root + path.sep;

  const isStudentFile = (file) => {
    if (typeof file !== "string") return false;
    if (file.startsWith("file://")) file = decodeURIComponent(new URL(file).pathname);
    if (everything) return file.startsWith(rootPrefix) && !trusted.has(file) && !file.includes(`${path.sep}node_modules${path.sep}`);
    return files.has(file);
  };
  const bareName = (request) => {
    const name = String(request).startsWith("node:") ? String(request).slice(5) : String(request);
    return Module.isBuiltin(name) || String(request).startsWith("node:") ? name : undefined;
  };
  const isDenied = (request) => {
    const name = bareName(request);
    if (name === undefined) return false;
    // `assert/strict`, `fs/promises`: a sub-path is denied with its module.
    return deniedModules.has(name) || deniedModules.has(name.split("/")[0]);
  };
  const refuse = (what) => {
    const error = new Error(`${what} is not allowed in this exercise (the grader's code policy)`);
    error.code = "ERR_CODE_POLICY";
    return error;
  };

  /** Whether a student file is on the current stack (a fresh, full stack: the limit is set here, not trusted). */
  const studentOnStack = () => {
    const holder = {};
    const limit = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = 200;
      Error.captureStackTrace(holder);
    } catch {
      return true;
    } finally {
      try {
        Error.stackTraceLimit = limit;
      } catch {
        // A student who made it read-only gets the long stacks.
      }
    }
    const stack = String(holder.stack);
    if (!everything) {
      for (const file of files) if (stack.includes(file)) return true;
      return false;
    }
    return stack.split("\n").some((line) => {
      const match = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(line.trim());
      return match ? isStudentFile(match[1]) : false;
    });
  };

  const freezeDeep = (value, depth) => {
    if ((typeof value !== "object" && typeof value !== "function") || value === null || depth < 0) return;
    if (Object.isFrozen(value)) return;
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) {
      // Prototypes stay open: freezing them would make `this.name = ...` in instances throw (the override mistake).
      if (key === "prototype" || key === "constructor") continue;
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && "value" in descriptor) freezeDeep(descriptor.value, depth - 1);
    }
  };
  for (const name of ["node:assert", "node:assert/strict", "node:test"]) {
    try {
      freezeDeep(require(name), 2);
    } catch {
      // node:test does not exist before Node 18; nothing to protect then.
    }
  }

  const originalLoad = Module._load;
  function guardedLoad(request, parent, isMain) {
    if (parent && isStudentFile(parent.filename) && isDenied(request)) throw refuse(`require("${request}")`);
    return Reflect.apply(originalLoad, this, [request, parent, isMain]);
  }
  const lock = (target, key, value) => {
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (!descriptor) return;
    if (descriptor.configurable === false && descriptor.writable === false) return;
    if ("value" in descriptor) Object.defineProperty(target, key, { value: value ?? descriptor.value, writable: false, configurable: false, enumerable: descriptor.enumerable });
    else Object.defineProperty(target, key, { ...descriptor, configurable: false });
  };
  lock(Module, "_load", guardedLoad);
  for (const key of ["_resolveFilename", "_findPath", "_nodeModulePaths", "_resolveLookupPaths", "_initPaths", "_preloadModules", "wrap", "wrapper", "createRequire", "runMain", "register", "isBuiltin", "_readPackage", "_stat"]) {
    lock(Module, key);
  }
  for (const key of ["require", "_compile", "load"]) lock(Module.prototype, key);
  if (Module._extensions) {
    Object.freeze(Module._extensions);
    lock(Module, "_extensions");
  }
  if (Array.isArray(Module.builtinModules)) Object.freeze(Module.builtinModules);

  if (policy.noCodeFromStrings) {
    // eval, Function and the constructors reachable from any function (`(() => {}).constructor`, async and
    // generator ones): replaced by one that refuses. Its prototype is Function.prototype, so instanceof holds.
    const refused = function refusedCodeFromStrings() {
      throw refuse("code from strings (eval, Function)");
    };
    Object.defineProperty(refused, "prototype", { value: Function.prototype, writable: false });
    const prototypes = [Function.prototype, Object.getPrototypeOf(async function () {}), Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async function* () {})];
    for (const prototype of prototypes) {
      Object.defineProperty(prototype, "constructor", { value: refused, writable: false, configurable: false, enumerable: false });
    }
    for (const key of ["eval", "Function"]) Object.defineProperty(globalThis, key, { value: refused, writable: false, configurable: false, enumerable: false });
  }
  for (const key of policy.globals) {
    if (key === "getBuiltinModule" && typeof process.getBuiltinModule === "function") {
      const original = process.getBuiltinModule;
      const guarded = function getBuiltinModule(id) {
        if (isDenied(id) && studentOnStack()) throw refuse(`process.getBuiltinModule("${id}")`);
        return Reflect.apply(original, process, [id]);
      };
      Object.defineProperty(process, key, { value: guarded, writable: false, configurable: false, enumerable: false });
    } else if (key in process) {
      const stub = function refused() {
        throw refuse(`process.${key}`);
      };
      Object.defineProperty(process, key, { value: stub, writable: false, configurable: false, enumerable: false });
    }
  }
})();
