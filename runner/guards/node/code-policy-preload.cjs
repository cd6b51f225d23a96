/* Runner-owned preload (NODE_OPTIONS=--require <this>): the runtime half of the JavaScript code policy. */
/* eslint-disable @typescript-eslint/no-require-imports */
/* global process, require, URL, Buffer */
"use strict";

/*
 * Loaded by node before any module of the run, in the `node --test` parent and in every per-file child (they
 * inherit NODE_OPTIONS), so it is in place before the instructor's test file requires the solution. It
 *  - freezes node:assert, node:assert/strict and node:test and their exports, so a solution cannot replace
 *    assertions with no-ops (assignment throws in strict code and is ignored in sloppy code);
 *  - freezes the CommonJS loader's hooks (Module._load, _resolveFilename, _extensions, prototype.require...),
 *    after wrapping Module._load so that a student file cannot require the modules the PIT's policy denies;
 *  - removes process.binding, _linkedBinding and dlopen, and guards process.getBuiltinModule the same way;
 *  - while the policy denies eval and Function, replaces them (and every function's .constructor) by a refusal;
 *  - makes node:fs and node:fs/promises refuse changes in the run's report folders (guardReportFolders below).
 * What is frozen cannot be thawed, and nothing of the student's runs before this file, so it cannot be undone.
 * Configuration (runner-written environment): RUNNER_GUARD_ROOT (the workspace), RUNNER_GUARD_FILES (JSON list
 * of the student's code files, relative; "*" = every file under the root except RUNNER_GUARD_TRUSTED's),
 * RUNNER_GUARD_POLICY (JSON {modules: [bare names refused], globals: [process members removed],
 * noCodeFromStrings: bool}), RUNNER_GUARD_REPORTS (JSON list of the run's report folders, absolute).
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
  /*
   * The run's report folders (RUNNER_GUARD_REPORTS: absolute, from the report globs' literal leading folders).
   * node:fs and node:fs/promises refuse to change anything inside one, one itself or a folder above it (write,
   * append, truncate, open for writing, a write stream, rename, copy, link, unlink, rm, mkdir, chmod, chown,
   * utimes), so that a solution cannot rename, replace or rewrite the report the runner grades. Where fs would
   * act is what counts: the real path of the parent folder (links and ".." resolved by the kernel) and, when it
   * exists, of the path itself. In a test file's child process (`node --test` sets NODE_TEST_CONTEXT in each) always;
   * in any other node process (the `node --test` parent, which writes the real report) only while a student file is
   * on the stack. The patched functions are locked (non-writable, non-configurable): they cannot be put back.
   * Always on: the report is not the policy's to give away. Everything it calls is captured here, before any
   * student code, so a solution that may change built-ins cannot turn it off.
   */
  const reportFolders = parseList(env.RUNNER_GUARD_REPORTS).filter((f) => typeof f === "string" && path.isAbsolute(f));
  if (reportFolders.length > 0) guardReportFolders(reportFolders, env.NODE_TEST_CONTEXT !== undefined);

  function guardReportFolders(folders, inTestChild) {
    const fs = require("node:fs");
    const fsPromises = require("node:fs/promises");
    const { fileURLToPath } = require("node:url");
    const { resolve, relative, dirname, basename, join, isAbsolute } = path;
    const sep = path.sep;
    const realpath = fs.realpathSync.native;
    const cwd = process.cwd;
    const apply = Reflect.apply;
    const defineProperty = Object.defineProperty;
    const isBuffer = Buffer.isBuffer;
    const bufferToString = Buffer.prototype.toString;
    const reject = Promise.reject.bind(Promise);
    const URLClass = URL;
    const { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND } = fs.constants;
    const WRITE_FLAGS = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
    const upward = (rel) => rel === ".." || (rel.length > 2 && rel[0] === "." && rel[1] === "." && rel[2] === sep);
    const realOrNone = (p) => {
      try {
        return realpath(p);
      } catch {
        return undefined;
      }
    };
    // Each folder as given and as its real path (the workspace may sit behind a link).
    const guarded = [];
    for (const folder of folders) {
      guarded[guarded.length] = resolve(folder);
      const real = realOrNone(folder);
      if (real !== undefined) guarded[guarded.length] = real;
    }
    /** Inside a guarded folder, the folder itself, or a folder above it (renaming that moves the reports). */
    const near = (target) => {
      for (let i = 0; i < guarded.length; i += 1) {
        const down = relative(guarded[i], target);
        if (down === "" || (!upward(down) && !isAbsolute(down))) return true;
        if (!upward(relative(target, guarded[i])) && !isAbsolute(relative(target, guarded[i]))) return true;
      }
      return false;
    };
    const pathOf = (value) => {
      if (typeof value === "string") return value;
      if (isBuffer(value)) return apply(bufferToString, value, ["utf8"]);
      if (value instanceof URLClass) {
        try {
          return fileURLToPath(value);
        } catch {
          return undefined;
        }
      }
      return undefined;
    };
    const touchesReports = (value) => {
      const raw = pathOf(value);
      if (raw === undefined || raw === "") return false;
      const absolute = isAbsolute(raw) ? raw : apply(cwd, process, []) + sep + raw;
      if (near(resolve(absolute))) return true;
      const base = basename(absolute);
      if (base === "." || base === "..") {
        const real = realOrNone(absolute);
        return real !== undefined && near(real);
      }
      const parent = realOrNone(dirname(absolute));
      if (parent !== undefined && near(join(parent, base))) return true;
      const real = realOrNone(absolute);
      return real !== undefined && near(real);
    };
    const writesFlags = (flags) => {
      // Left out (or a callback in its place): "r". Neither a string nor a number: node refuses it anyway.
      if (typeof flags === "number") return (flags & WRITE_FLAGS) !== 0;
      return typeof flags === "string" && flags !== "r" && flags !== "rs" && flags !== "sr";
    };
    const ONE = [0];
    const TWO = [0, 1];
    // name → which arguments are paths. `open` (and `opendir`-like reads) only with flags that write.
    const NAMES = [
      ["writeFile", ONE], ["appendFile", ONE], ["truncate", ONE], ["rm", ONE], ["rmdir", ONE], ["unlink", ONE],
      ["mkdir", ONE], ["mkdtemp", ONE], ["chmod", ONE], ["lchmod", ONE], ["chown", ONE], ["lchown", ONE],
      ["utimes", ONE], ["lutimes", ONE], ["open", ONE], ["rename", TWO], ["copyFile", TWO], ["cp", TWO],
      // A hard link to a report is the report; a symbolic link is only followed later, where it is resolved.
      ["link", TWO], ["symlink", [1]],
    ];
    const refusal = (key) => refuse(`fs.${key} in the run's report folder`);
    const lockWrapped = (target, key, paths, kind, isOpen) => {
      const original = target[key];
      if (typeof original !== "function") return;
      const refused = (args) => {
        if (isOpen && !writesFlags(args[1])) return false;
        let touches = false;
        for (let i = 0; i < paths.length; i += 1) if (touchesReports(args[paths[i]])) touches = true;
        return touches && (inTestChild || studentOnStack());
      };
      const wrapped =
        kind === "promise"
          ? function (...args) {
              if (refused(args)) return reject(refusal(key));
              return apply(original, this, args);
            }
          : function (...args) {
              if (refused(args)) throw refusal(key);
              return apply(original, this, args);
            };
      defineProperty(wrapped, "name", { value: original.name });
      defineProperty(target, key, { value: wrapped, writable: false, configurable: false, enumerable: true });
    };
    for (const [name, paths] of NAMES) {
      const isOpen = name === "open";
      lockWrapped(fs, name, paths, "callback", isOpen);
      lockWrapped(fs, `${name}Sync`, paths, "sync", isOpen);
      lockWrapped(fsPromises, name, paths, "promise", isOpen);
    }
    lockWrapped(fs, "createWriteStream", ONE, "sync", false);
    // `fs.promises` is fsPromises (patched above); pin the getter so no other object can stand in for it.
    const promises = Object.getOwnPropertyDescriptor(fs, "promises");
    if (promises && promises.configurable) defineProperty(fs, "promises", { ...promises, configurable: false });
    // ESM's named exports of node:fs are a copy of the CommonJS ones: bring them up to date.
    if (typeof Module.syncBuiltinESMExports === "function") Module.syncBuiltinESMExports();
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
