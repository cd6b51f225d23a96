import { accessSync, constants, readFileSync } from "node:fs";
import path from "node:path";

// Bit numbers from linux/capability.h.
const CAP_CHOWN = 0n;
const CAP_KILL = 5n;
const CAP_SETGID = 6n;
const CAP_SETUID = 7n;
const NEEDED = [CAP_CHOWN, CAP_KILL, CAP_SETGID, CAP_SETUID];

/** True when `status` (the text of /proc/self/status) shows every capability a per-slot user switch needs. */
export function hasSwitchCapabilities(status: string): boolean {
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  if (!match) return false;
  const effective = BigInt(`0x${match[1]}`);
  return NEEDED.every((bit) => (effective & (1n << bit)) !== 0n);
}

/** Whether this process may spawn children as another uid and hand files over to it. */
export function canSwitchUsers(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    return hasSwitchCapabilities(readFileSync("/proc/self/status", "utf8"));
  } catch {
    return false;
  }
}

/** First executable called `name` in the usual system folders (not the student-controlled PATH). */
export function findTool(name: string): string | undefined {
  for (const dir of ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"]) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
