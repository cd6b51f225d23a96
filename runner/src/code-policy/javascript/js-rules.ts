/**
 * The default deny list for JavaScript solutions (PIT-CONFIGS.md "What solution code may use"). Names, as the
 * analyser (js-analyser.ts) reports them: built-in modules as `node:<name>` (a bare `child_process` is the same
 * module), their members as `node:fs.writeFileSync`, globals by their dotted path (`process.binding`), dynamic
 * loads as `require(computed)`/`import(computed)`, writes to built-ins and built-in modules as `write/<target>`.
 */

/** Test frameworks, the module loader, code evaluation, processes, threads, the inspector, the network. */
const MODULES = [
  "node:test", "node:assert", "node:module", "node:vm", "node:repl", "node:child_process", "node:worker_threads",
  "node:cluster", "node:inspector", "node:v8", "node:async_hooks", "node:diagnostics_channel", "node:trace_events",
  "node:wasi", "node:tty", "node:net", "node:dgram", "node:http", "node:https", "node:http2", "node:dns", "node:tls",
];

/**
 * fs stays readable (exercise data files); these names write, move, delete or change permissions, however they are
 * reached (`fs.x`, `require("fs").x`, `(await import("fs")).x`, `import("fs").then((m) => m.x)`, destructured,
 * aliased, `.default.x`). `open` with read flags only is a read (js-analyser.ts). The write streams' classes too.
 */
const FS_WRITE_NAMES = [
  "writeFile", "appendFile", "write", "writev", "createWriteStream", "open", "rm", "rmdir", "unlink", "rename",
  "copyFile", "cp", "mkdir", "mkdtemp", "symlink", "link", "truncate", "ftruncate", "chmod", "fchmod", "lchmod",
  "chown", "fchown", "lchown", "utimes", "futimes", "lutimes", "WriteStream", "FileWriteStream", "Utf8Stream",
];

const FS_WRITES = FS_WRITE_NAMES.flatMap((name) => [
  `node:fs.${name}`,
  `node:fs.${name}Sync`,
  `node:fs.promises.${name}`,
  `node:fs/promises.${name}`,
]);

const GLOBALS = [
  "eval", "Function", "Reflect",
  "process.binding", "process._linkedBinding", "process.dlopen", "process.getBuiltinModule", "process.mainModule",
  "process.exit", "process.reallyExit", "process.abort", "process.kill", "process.exitCode",
  // Exit hooks, and the test runner's child protocol (serialized events on stdout) that raw writes could forge.
  "process.on", "process.once", "process.addListener", "process.prependListener", "process.prependOnceListener",
  "process.emit", "process.setUncaughtExceptionCaptureCallback", "process.stdout", "process.stderr", "process.send",
  "process.channel", "console._stdout", "console._stderr",
  "require.cache", "require.main", "require.extensions", "module.parent", "module.children", "module.constructor",
  "module.paths", "module.require",
  "fetch", "WebSocket",
];

/** Reads and loads the analyser cannot name statically. */
const COMPUTED = [
  "require(computed)", "import(computed)", "require[computed]", "module[computed]", "process[computed]",
  "globalThis[computed]", "node:fs[computed]", "node:fs/promises[computed]", "node:fs.promises[computed]",
  "console[computed]",
];

export const JS_DEFAULT_DENY: readonly string[] = [
  ...MODULES,
  ...FS_WRITES,
  ...GLOBALS,
  ...COMPUTED,
  // Any assignment, delete or defineProperty on a built-in global, globalThis or a built-in module's exports.
  "write/",
];

/** Globals whose properties a solution may read but never change (`write/Array.prototype.map`). */
export const BUILTIN_GLOBALS: ReadonlySet<string> = new Set([
  "Object", "Function", "Array", "String", "Number", "Boolean", "Symbol", "BigInt", "Math", "JSON", "Date", "RegExp",
  "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError",
  "Promise", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Reflect", "Proxy", "Intl",
  "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "Int8Array", "Uint8Array", "Uint8ClampedArray",
  "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array",
  "BigUint64Array", "console", "process", "Buffer", "require", "setTimeout", "setInterval", "setImmediate",
  "queueMicrotask", "structuredClone", "URL", "TextEncoder", "TextDecoder", "globalThis",
]);

export function isJavaScriptPit(config: { language: string; buildTool: string }): boolean {
  const language = config.language.toLowerCase();
  return language === "javascript" || language === "js" || language === "node";
}

export const JS_EXTENSIONS = [".js", ".cjs", ".mjs"];
