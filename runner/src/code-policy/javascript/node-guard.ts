import path from "node:path";
import { createPolicy } from "../policy";
import type { GuardInput } from "../runtime-guard";
import { guardFileList } from "../guard-files";
import { JS_DEFAULT_DENY } from "./js-rules";

/** Built-in modules the preload refuses to a student file's require(), when the policy denies them. */
const GUARDED_MODULES = [
  "test", "assert", "module", "vm", "repl", "child_process", "worker_threads", "cluster", "inspector", "v8",
  "async_hooks", "diagnostics_channel", "trace_events", "wasi", "tty", "net", "dgram", "http", "https", "http2", "dns", "tls",
];

/** process members the preload removes (getBuiltinModule: guarded like require), when the policy denies them. */
const GUARDED_PROCESS = ["binding", "_linkedBinding", "dlopen", "getBuiltinModule"];

export const NODE_PRELOAD = path.join("node", "code-policy-preload.cjs");

/**
 * The folders the run's reports land in, absolute: each glob's literal leading folders (`reports/*.xml` gives
 * `<workspace>/reports`; a glob starting with a wildcard folder, or a report at the top, gives the workspace itself).
 * The preload refuses changes by node:fs in them.
 */
export function reportFolders(workspace: string, reportPaths: string[]): string[] {
  const folders = reportPaths.map((pattern) => {
    const literal: string[] = [];
    for (const segment of pattern.split("/").slice(0, -1)) {
      if (/[*?[\]{}()!+@]/.test(segment)) break;
      literal.push(segment);
    }
    return path.resolve(workspace, ...literal);
  });
  return [...new Set(folders)];
}

/**
 * Node: the runner's preload first in NODE_OPTIONS (node --test hands NODE_OPTIONS to its per-file children, so
 * it runs in each before the test file); while eval and Function are denied, the preload takes them away.
 */
export function nodeGuardEnv(input: GuardInput, extensions: string[]): Record<string, string> {
  const policy = createPolicy(JS_DEFAULT_DENY, input.pit.config.codePolicy);
  const denied = (api: string) => policy.deniedBy(api) !== undefined;
  const guardPolicy = {
    modules: GUARDED_MODULES.filter((m) => denied(`node:${m}`)),
    globals: GUARDED_PROCESS.filter((g) => denied(`process.${g}`)),
    // The preload replaces eval and the Function constructors: node's --disallow-code-generation-from-strings
    // would do it too, but costs node --test about 25 ms of CPU per process (measured on Node 20).
    noCodeFromStrings: denied("eval") && denied("Function"),
  };
  const preload = path.join(input.guardsDir, NODE_PRELOAD);
  const options = [`--require ${JSON.stringify(preload)}`];
  if (input.env.NODE_OPTIONS) options.push(input.env.NODE_OPTIONS);
  return {
    NODE_OPTIONS: options.join(" "),
    RUNNER_GUARD_POLICY: JSON.stringify(guardPolicy),
    // Not a policy matter: the report folders are protected whatever the PIT allows.
    RUNNER_GUARD_REPORTS: JSON.stringify(reportFolders(input.workspace, input.reportPaths)),
    ...guardFileList(input.pit, input.studentFiles, extensions, input.templateFiles),
  };
}
