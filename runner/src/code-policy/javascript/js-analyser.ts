import { parse, type AnyNode, type CallExpression, type Expression, type Node, type Pattern, type Program } from "acorn";
import { fullAncestor } from "acorn-walk";
import type { ApiUse } from "../check-source";
import { BUILTIN_GLOBALS } from "./js-rules";
import { constantString, GLOBAL_OBJECTS, memberPath, normaliseSpecifier, propertyName, type MemberPath } from "./js-paths";

/** CommonJS first (most solutions), then ESM; `.mjs` the other way round. undefined when neither parses. */
export function parseJavaScript(source: string, file: string): Program | undefined {
  const kinds: ("script" | "module")[] = file.endsWith(".mjs") ? ["module", "script"] : ["script", "module"];
  for (const sourceType of kinds) {
    try {
      return parse(source, { ecmaVersion: "latest", sourceType, locations: true, allowHashBang: true, allowReturnOutsideFunction: sourceType === "script", allowAwaitOutsideFunction: true });
    } catch {
      // Next kind; a file neither parses as is the test run's to report (the student gets node's SyntaxError).
    }
  }
  return undefined;
}

/** Roots whose aliases are followed: the ones whose members the deny list names. */
const TRACKED_ROOTS = new Set(["process", "require", "module", "Reflect", "Function", "eval", "Object", ...GLOBAL_OBJECTS]);
const DEFINERS = new Set(["Object.defineProperty", "Object.defineProperties", "Object.assign", "Object.setPrototypeOf", "Object.prototype.__defineGetter__"]);
const READ_FLAGS = new Set(["r", "rs", "sr"]);
/** A built-in module's ESM default export is its CommonJS exports: `fs.default.writeFileSync` is `node:fs.writeFileSync`. */
const DEFAULT_EXPORT = /^((?:write\/)?node:[^.[]+)\.default(?=$|[.[])/;
/** Ways to call require that hide what it loads: `require.call(null, "child_process")`, `module.require.apply(...)`. */
const REQUIRE_INDIRECT = /^(?:module\.)?require\.(?:call|apply|bind)(?=$|[.[])|^module\.require(?=$|[.[])/;

type Parent = AnyNode | undefined;

class Analyser {
  readonly uses: ApiUse[] = [];
  private readonly seen = new Set<string>();
  /** Local name → what it stands for: `fs` → `node:fs`, `writeFileSync` → `node:fs.writeFileSync`, `p` → `process`. */
  private readonly bindings = new Map<string, string>();

  constructor(private readonly file: string) {}

  emit(node: Node, rawKey: string, rawShown = rawKey): void {
    const key = rawKey.replace(DEFAULT_EXPORT, "$1");
    const shown = rawShown === rawKey ? key : rawShown;
    if (REQUIRE_INDIRECT.test(key)) this.emit(node, "require(computed)", `${key} (require() of a name the check cannot see)`);
    const line = node.loc?.start.line ?? 0;
    if (this.seen.has(`${key}@${line}`)) return;
    this.seen.add(`${key}@${line}`);
    this.uses.push({ file: this.file, line, key, shown });
  }

  /** What a member chain names, with the root resolved through imports and aliases; undefined if it has no root. */
  resolve(path: MemberPath): string | undefined {
    let base = this.baseOf(path);
    if (base === undefined) return undefined;
    let parts = path.parts;
    if (GLOBAL_OBJECTS.has(base)) {
      base = parts[0] ?? "globalThis";
      parts = parts.slice(1);
      if (path.parts.length === 0 && !path.computed) return "globalThis";
    }
    const dotted = [base, ...parts].join(".");
    return path.computed ? `${dotted}[computed]` : dotted;
  }

  /** What a chain's root stands for: its binding or its name, or the built-in module a `require("m")` / `await import("m")` at its base loads. */
  baseOf(path: MemberPath): string | undefined {
    if (path.root !== undefined) return this.bindings.get(path.root) ?? path.root;
    const loaded = this.loadOf(path.base);
    return loaded?.startsWith("node:") ? loaded : undefined;
  }

  /** The module an expression evaluates to: `require("m")`, `module.require("m")`, `await import("m")`; undefined otherwise or when computed. */
  loadOf(node: AnyNode | null | undefined): string | undefined {
    if (node?.type === "AwaitExpression" && node.argument.type === "ImportExpression") {
      const spec = constantString(node.argument.source);
      return spec === undefined ? undefined : normaliseSpecifier(spec);
    }
    return this.requireOf(node) || undefined;
  }

  /** The module a `require("x")` / `module.require("x")` call loads, "" when computed, undefined when not a require. */
  requireOf(node: AnyNode | null | undefined): string | undefined {
    if (node?.type !== "CallExpression") return undefined;
    const callee = node.callee.type === "Super" ? undefined : this.resolve(memberPath(node.callee));
    if (callee !== "require" && callee !== "module.require") return undefined;
    const spec = constantString(node.arguments[0]);
    return spec === undefined ? "" : normaliseSpecifier(spec);
  }

  /** What an initializer stands for, when it is worth following (a module, process, globalThis...). */
  valueOf(init: Expression): string | undefined {
    const loaded = this.loadOf(init);
    if (loaded !== undefined) return loaded;
    if (init.type !== "Identifier" && init.type !== "MemberExpression") return undefined;
    const path = memberPath(init);
    const resolved = this.resolve(path);
    const root = this.baseOf(path);
    if (!resolved || root === undefined) return undefined;
    return root.startsWith("node:") || TRACKED_ROOTS.has(root) || BUILTIN_GLOBALS.has(root) ? resolved.replace(DEFAULT_EXPORT, "$1") : undefined;
  }

  bindPattern(pattern: Pattern, value: string, at: Node): void {
    if (pattern.type === "Identifier") {
      this.bindings.set(pattern.name, value);
    } else if (pattern.type === "ObjectPattern") {
      for (const prop of pattern.properties) {
        const key = prop.type === "Property" ? propertyName(prop.key, prop.computed) : undefined;
        if (prop.type === "RestElement" || key === undefined) {
          this.emit(at, `${value}[computed]`, `${value} taken apart by a computed name`);
          continue;
        }
        this.emit(prop, `${value}.${key}`);
        this.bindPattern(prop.value, `${value}.${key}`, prop);
      }
    } else if (pattern.type === "AssignmentPattern") {
      this.bindPattern(pattern.left, value, at);
    }
  }

  /** First pass: imports, requires and aliases, wherever they are, so uses before the declaration resolve too. */
  collect(program: Program): void {
    fullAncestor(program, (node) => {
      if (node.type === "ImportDeclaration") {
        const spec = normaliseSpecifier(String(node.source.value));
        for (const s of node.specifiers) {
          if (s.type === "ImportSpecifier") {
            const imported = s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value);
            this.bindings.set(s.local.name, imported === "default" ? spec : `${spec}.${imported}`);
          } else this.bindings.set(s.local.name, spec);
        }
      } else if (node.type === "VariableDeclarator" && node.init) {
        const value = this.valueOf(node.init);
        if (value) this.bindPattern(node.id, value, node);
      } else if (node.type === "AssignmentExpression" && node.operator === "=" && node.left.type === "Identifier") {
        const value = this.valueOf(node.right);
        if (value) this.bindings.set(node.left.name, value);
      } else if (node.type === "CallExpression") {
        // `import("m").then((m) => ...)`, `.then(function ({ x }) {...})`: the callback's parameter is the module.
        const spec = thenOfImport(node);
        const callback = node.arguments[0];
        if (spec !== undefined && isFunction(callback) && callback.params[0]) this.bindPattern(callback.params[0], spec, node);
      }
    });
  }

  analyse(program: Program): void {
    this.collect(program);
    fullAncestor(program, (node, _state, ancestors) => {
      const parent = ancestors[ancestors.length - 2];
      switch (node.type) {
        case "ImportDeclaration":
        case "ExportAllDeclaration":
        case "ExportNamedDeclaration":
          if (node.source) this.module(node, String(node.source.value), node.type === "ImportDeclaration" ? node : undefined);
          if (node.source && node.type !== "ImportDeclaration") this.reexport(node, normaliseSpecifier(String(node.source.value)));
          // `export { fs }` hands a local binding out whole (acorn-walk does not visit the specifiers).
          if (node.type === "ExportNamedDeclaration" && !node.source) {
            for (const s of node.specifiers) if (s.local.type === "Identifier") this.boundValue(s.local, s.local.name);
          }
          break;
        case "ImportExpression": {
          const spec = constantString(node.source);
          if (spec === undefined) this.emit(node, "import(computed)", "import() of a computed name");
          else {
            this.emit(node, normaliseSpecifier(spec));
            this.importUse(node, normaliseSpecifier(spec), ancestors);
          }
          break;
        }
        case "CallExpression":
          this.call(node, parent);
          break;
        case "NewExpression":
          if (node.callee.type === "MemberExpression" && propertyName(node.callee.property, node.callee.computed) === "constructor" && node.callee.object.type !== "ThisExpression") {
            this.emit(node, "Function", "new ….constructor(…)");
          }
          break;
        case "MemberExpression":
          this.member(node, parent);
          break;
        case "Identifier":
          this.identifier(node, parent, ancestors);
          break;
        case "AssignmentExpression":
          if (node.left.type === "MemberExpression") this.write(node.left, node);
          break;
        case "UpdateExpression":
          if (node.argument.type === "MemberExpression") this.write(node.argument, node);
          break;
        case "UnaryExpression":
          if (node.operator === "delete" && node.argument.type === "MemberExpression") this.write(node.argument, node);
          break;
        default:
          break;
      }
    });
  }

  module(node: Node, raw: string, declaration?: Extract<AnyNode, { type: "ImportDeclaration" }>): void {
    const spec = normaliseSpecifier(raw);
    this.emit(node, spec);
    for (const s of declaration?.specifiers ?? []) {
      if (s.type !== "ImportSpecifier") continue;
      const imported = s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value);
      if (imported !== "default") this.emit(s, `${spec}.${imported}`);
    }
  }

  /** `export * from "fs"` hands the whole module on (to be imported back by a name the check cannot follow); `export { x } from "fs"` names x. */
  reexport(node: Extract<AnyNode, { type: "ExportAllDeclaration" | "ExportNamedDeclaration" }>, spec: string): void {
    if (!spec.startsWith("node:")) return;
    if (node.type === "ExportAllDeclaration") return this.emit(node, `${spec}[computed]`, `${spec} re-exported whole`);
    for (const s of node.specifiers) {
      const local = s.local.type === "Identifier" ? s.local.name : String(s.local.value);
      if (local === "default") this.emit(s, `${spec}[computed]`, `${spec} re-exported whole`);
      else this.emit(s, `${spec}.${local}`);
    }
  }

  /**
   * A built-in module's object used other than by a plain binding (`const fs = ...`, `const { x } = ...`,
   * `fs = ...`), a member read (`require("fs").x`) or a statement of its own: passed to a function, stored,
   * exported, spread... its members can no longer be named, as for an alias passed around whole.
   */
  wholeModuleUse(node: Node, spec: string, parent: Parent): void {
    if (!spec.startsWith("node:")) return;
    if (parent?.type === "MemberExpression" && parent.object === node) return;
    if (parent?.type === "ChainExpression" || parent?.type === "ExpressionStatement") return;
    if (parent?.type === "VariableDeclarator" && parent.init === node && (parent.id.type === "Identifier" || parent.id.type === "ObjectPattern")) return;
    if (parent?.type === "AssignmentExpression" && parent.right === node && parent.operator === "=" && parent.left.type === "Identifier") return;
    this.emit(node, `${spec}[computed]`, `${spec} used as a value`);
  }

  /** `import("m")`: awaited (then as a require's result), or `.then(callback)` (the callback's parameter is bound); any other use is whole. */
  importUse(node: Node, spec: string, ancestors: AnyNode[]): void {
    const parent = ancestors[ancestors.length - 2];
    const grand = ancestors[ancestors.length - 3];
    if (parent?.type === "AwaitExpression") return this.wholeModuleUse(parent, spec, grand);
    if (parent?.type === "ExpressionStatement") return;
    if (grand?.type === "CallExpression" && thenOfImport(grand) !== undefined && isFunction(grand.arguments[0])) return;
    if (spec.startsWith("node:")) this.emit(node, `${spec}[computed]`, `import("${spec}") used as a value`);
  }

  call(node: CallExpression, parent: Parent): void {
    const required = this.requireOf(node);
    if (required === "") this.emit(node, "require(computed)", "require() of a computed name");
    else if (required !== undefined) {
      this.emit(node, required);
      this.wholeModuleUse(node, required, parent);
    }
    if (node.callee.type !== "MemberExpression") return;
    const callee = this.resolve(memberPath(node.callee));
    if ((callee === "require.resolve" || callee === "require.resolve.paths") && constantString(node.arguments[0]) === undefined) {
      this.emit(node, "require(computed)", `${callee} of a computed name`);
    }
    if (propertyName(node.callee.property, node.callee.computed) === "constructor") this.emit(node, "Function", "….constructor(…)");
    if (callee && DEFINERS.has(callee) && node.arguments[0] && node.arguments[0].type !== "SpreadElement") {
      const target = node.arguments[0];
      if (target.type === "Identifier" || target.type === "MemberExpression") this.write(target, node, callee);
    }
  }

  member(node: Extract<AnyNode, { type: "MemberExpression" }>, parent: AnyNode | undefined): void {
    const name = propertyName(node.property, node.computed);
    if (name === "constructor" && node.object.type === "MemberExpression" && propertyName(node.object.property, node.object.computed) === "constructor") {
      this.emit(node, "Function", ".constructor.constructor");
    }
    if (name === "caller" || name === "callee") this.emit(node, "Function.caller", `.${name}`);
    // Only the longest chain is a use: `process.stdout.write` once, not also `process.stdout`.
    if (parent?.type === "MemberExpression" && parent.object === node) return;
    const key = this.resolve(memberPath(node));
    if (!key) return;
    if (/\.(open|openSync)$/.test(key) && key.startsWith("node:fs") && parent?.type === "CallExpression" && parent.callee === node) {
      const flags = parent.arguments[1];
      if (flags === undefined || READ_FLAGS.has(constantString(flags) ?? "")) return;
    }
    this.emit(node, key);
    // `require.cache[k]`: what comes before the computed name is a use in its own right.
    if (key.endsWith("[computed]") && !key.slice(0, -"[computed]".length).includes("[")) {
      const base = key.slice(0, -"[computed]".length);
      if (base.includes(".")) this.emit(node, base);
    }
  }

  identifier(node: Extract<AnyNode, { type: "Identifier" }>, parent: AnyNode | undefined, ancestors: AnyNode[]): void {
    if (!parent || !isReference(node, parent, ancestors)) return;
    if (parent.type === "MemberExpression" && parent.object === node) return;
    if (parent.type === "CallExpression" && parent.callee === node && this.resolve({ root: node.name, parts: [], computed: false }) === "require") return;
    // `const { env } = process`, `const fs2 = fs`: the pattern's members (or the alias's later uses) are the uses.
    if (parent.type === "VariableDeclarator" && parent.init === node && this.valueOf(node) !== undefined) return;
    // `fs = require("fs")`: the name is written, not read.
    if (parent.type === "AssignmentExpression" && parent.left === node && parent.operator === "=") return;
    if (this.boundValue(node, node.name)) return;
    if (node.name === "eval" || node.name === "Function" || node.name === "Reflect") this.emit(node, node.name);
    else if (node.name === "require") this.emit(node, "require(computed)", "require used as a value");
    else if (node.name === "process" || node.name === "module") this.emit(node, `${node.name}[computed]`, `${node.name} used as a value`);
    else if (GLOBAL_OBJECTS.has(node.name)) this.emit(node, "globalThis[computed]", `${node.name} used as a value`);
  }

  /** A module object or an alias passed around whole: its members can no longer be named. false when `name` is not bound. */
  boundValue(node: Node, name: string): boolean {
    const bound = this.bindings.get(name);
    if (bound === undefined) return false;
    this.emit(node, bound.includes(".") ? bound : `${bound}[computed]`, name);
    return true;
  }

  /** An assignment, delete or defineProperty whose target is a built-in global or a built-in module's export. */
  write(target: Expression, at: Node, how = "a write to"): void {
    const path = memberPath(target);
    const base = this.baseOf(path);
    if (base === undefined) return;
    const rawRoot = base.split(/[.[]/)[0] ?? base;
    if (!rawRoot.startsWith("node:") && !BUILTIN_GLOBALS.has(rawRoot) && !GLOBAL_OBJECTS.has(rawRoot)) return;
    const root = GLOBAL_OBJECTS.has(rawRoot) ? base.replace(rawRoot, "globalThis") : base;
    const dotted = [root, ...path.parts].join(".") + (path.computed ? "[computed]" : "");
    this.emit(at, `write/${dotted}`, `${how} ${dotted}`);
  }
}

/** Whether an identifier is read here (not a property name, a declaration, a label). */
function isReference(node: Node, parent: AnyNode, ancestors: AnyNode[]): boolean {
  switch (parent.type) {
    case "MemberExpression":
      return parent.object === node || parent.computed;
    case "Property":
      if (parent.key === node && !parent.computed && !parent.shorthand) return false;
      break;
    case "MethodDefinition":
    case "PropertyDefinition":
      return parent.computed || parent.key !== node;
    case "LabeledStatement":
    case "BreakStatement":
    case "ContinueStatement":
    case "ExportSpecifier":
    case "ImportSpecifier":
    case "ImportDefaultSpecifier":
    case "ImportNamespaceSpecifier":
    case "MetaProperty":
      return false;
    default:
      break;
  }
  // Declarations: the left of a declarator, a function's own name and parameters, a class name, a catch binding.
  for (let i = ancestors.length - 2; i >= 0; i -= 1) {
    const a = ancestors[i];
    const child = ancestors[i + 1];
    if (!a) break;
    if (a.type === "VariableDeclarator") return a.id !== child;
    if ((a.type === "FunctionDeclaration" || a.type === "FunctionExpression" || a.type === "ArrowFunctionExpression") && a.body !== child) return false;
    if ((a.type === "ClassDeclaration" || a.type === "ClassExpression") && a.id === child) return false;
    if (a.type === "CatchClause") return a.param !== child;
    if (!(a.type === "ObjectPattern" || a.type === "ArrayPattern" || a.type === "AssignmentPattern" || a.type === "RestElement" || a.type === "Property")) break;
  }
  return true;
}

/** The module of `import("m").then(...)` when the call is that, else undefined. */
function thenOfImport(node: CallExpression): string | undefined {
  const callee = node.callee;
  if (callee.type !== "MemberExpression" || callee.object.type !== "ImportExpression") return undefined;
  if (propertyName(callee.property, callee.computed) !== "then") return undefined;
  const spec = constantString(callee.object.source);
  return spec === undefined ? undefined : normaliseSpecifier(spec);
}

function isFunction(node: AnyNode | undefined): node is Extract<AnyNode, { type: "ArrowFunctionExpression" | "FunctionExpression" }> {
  return node?.type === "ArrowFunctionExpression" || node?.type === "FunctionExpression";
}

/** Every API a JavaScript file uses, by the names js-rules.ts speaks; [] when it does not parse. */
export function analyseJavaScript(source: string, file: string): ApiUse[] {
  const program = parseJavaScript(source, file);
  if (!program) return [];
  const analyser = new Analyser(file);
  analyser.analyse(program);
  return analyser.uses;
}
