import { builtinModules } from "node:module";
import type { AnyNode, Expression, Super, PrivateIdentifier } from "acorn";

const BUILTINS = new Set(builtinModules);

/** `child_process`, `node:child_process` → `node:child_process`; `fs/promises` → `node:fs/promises`; others unchanged. */
export function normaliseSpecifier(spec: string): string {
  const bare = spec.startsWith("node:") ? spec.slice("node:".length) : spec;
  if (spec.startsWith("node:") || BUILTINS.has(bare) || BUILTINS.has(bare.split("/")[0] ?? bare)) return `node:${bare}`;
  return spec;
}

/** A string the code spells out: a literal, or a template literal without substitutions. */
export function constantString(node: AnyNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === "Literal" && typeof node.value === "string") return node.value;
  if (node.type === "TemplateLiteral" && node.expressions.length === 0) return node.quasis.map((q) => q.value.cooked ?? "").join("");
  return undefined;
}

/** The name of a member's property when the code spells it out (`a.b`, `a["b"]`), else undefined. */
export function propertyName(property: Expression | PrivateIdentifier, computed: boolean): string | undefined {
  if (!computed && property.type === "Identifier") return property.name;
  if (property.type === "PrivateIdentifier") return `#${property.name}`;
  return constantString(property);
}

export const GLOBAL_OBJECTS = new Set(["globalThis", "global", "self", "window"]);

export interface MemberPath {
  /** The root identifier as written (`fs`, `globalThis`), or undefined when the chain starts elsewhere (`this`, a call). */
  root?: string;
  /** The property names after the root; a name the code computes is `[computed]` and ends the chain. */
  parts: string[];
  computed: boolean;
  /** What the chain starts from when that is not an identifier (`require("fs")` in `require("fs").x`). */
  base?: Expression | Super;
}

/** `a.b["c"][x]` → { root: "a", parts: ["b", "c"], computed: true }. */
export function memberPath(node: Expression | Super): MemberPath {
  const parts: string[] = [];
  let computed = false;
  let current: Expression | Super = node;
  while (current.type === "MemberExpression") {
    const name = propertyName(current.property, current.computed);
    if (name === undefined) {
      parts.length = 0;
      computed = true;
    } else parts.unshift(name);
    current = current.object;
  }
  if (current.type === "ChainExpression") {
    // `(a?.b).c`: the chain inside, then what follows it.
    const inner = memberPath(current.expression);
    return inner.computed ? inner : { ...inner, parts: [...inner.parts, ...parts], computed };
  }
  return current.type === "Identifier" ? { root: current.name, parts, computed } : { parts, computed, base: current };
}
