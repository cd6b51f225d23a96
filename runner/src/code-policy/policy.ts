import type { PitConfig } from "../pit-config/interfaces/pit-config.interface";

/**
 * Which APIs a solution may use. An API is a dotted name (`java.lang.Runtime.addShutdownHook`, `os.system`,
 * `node:child_process`, `process.binding`); an entry names an API or any prefix of it at a `.` or `/` boundary.
 * The most specific matching entry decides. At equal length the PIT's entries beat the defaults, and the
 * PIT's deny beats its allow, so an instructor can both re-enable (`allow: ["java.lang.Thread"]`) and add
 * (`deny: ["java.util.Random"]`) without restating the defaults.
 */
export interface ApiPolicy {
  /** The entry that denies `api`, or undefined when `api` is allowed. */
  deniedBy(api: string): string | undefined;
}

interface Entry {
  prefix: string;
  deny: boolean;
  /** 0 default, 1 PIT allow, 2 PIT deny: breaks ties between entries of the same length. */
  rank: number;
}

function matches(prefix: string, api: string): boolean {
  if (api === prefix) return true;
  if (!api.startsWith(prefix)) return false;
  const next = api[prefix.length];
  return next === "." || next === "/" || next === "$" || prefix.endsWith(".") || prefix.endsWith("/");
}

export function createPolicy(defaultDeny: readonly string[], pit: PitConfig["codePolicy"] = {}): ApiPolicy {
  const entries: Entry[] = [
    ...defaultDeny.map((prefix) => ({ prefix, deny: true, rank: 0 })),
    ...(pit.allow ?? []).map((prefix) => ({ prefix, deny: false, rank: 1 })),
    ...(pit.deny ?? []).map((prefix) => ({ prefix, deny: true, rank: 2 })),
  ];
  return {
    deniedBy(api) {
      let best: Entry | undefined;
      for (const entry of entries) {
        if (!matches(entry.prefix, api)) continue;
        if (!best || entry.prefix.length > best.prefix.length || (entry.prefix.length === best.prefix.length && entry.rank > best.rank)) {
          best = entry;
        }
      }
      return best?.deny ? best.prefix : undefined;
    },
  };
}
