import { createHmac, timingSafeEqual } from "node:crypto";
import type { ParsedTestCase } from "../../grading/junit-xml";

/**
 * The runner's side of `runnerguard.Records` (runner/guards/java): finds the guard's lines in the run's output and
 * keeps those whose HMAC-SHA256 under this run's key is right. The key was read and deleted by the guard before any
 * student code ran, so a line the code under test printed cannot carry a valid signature.
 */

const LINE = /^@@runnerguard (\d{1,9}) ([A-Za-z0-9+/=]{1,2000000}) ([0-9a-f]{64})$/gm;

export interface GuardReport {
  /** Relative path -> SHA-256 of every class file the guard found before the tests ran. */
  classes: Map<string, string>;
  /** Planned tests in plan order: unique id -> how Surefire's XML names it. */
  planned: Map<string, { suite: string; name: string }>;
  /** Unique id -> the result the guard saw when the test finished. */
  results: Map<string, { status: ParsedTestCase["status"]; message: string | null }>;
  /** Lines that looked like the guard's but were not signed with this run's key, or repeated a number. */
  rejected: number;
}

const STATUSES = new Set(["passed", "failed", "error", "skipped"]);

function signatureOk(key: Buffer, seq: string, body: string, signature: string): boolean {
  const expected = createHmac("sha256", key).update(`${seq}:${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** Undefined when no signed `open` record is there: the guard did not run in a JVM that had this run's key. */
export function readGuardReport(output: string, keyHex: string): GuardReport | undefined {
  const key = Buffer.from(keyHex, "hex");
  const bySeq = new Map<number, Record<string, unknown>>();
  let rejected = 0;
  for (const m of output.matchAll(LINE)) {
    const [, seq = "", body = "", signature = ""] = m;
    if (!signatureOk(key, seq, body, signature) || bySeq.has(Number(seq))) {
      rejected++;
      continue;
    }
    try {
      const record: unknown = JSON.parse(Buffer.from(body, "base64").toString("utf8"));
      if (typeof record === "object" && record !== null) bySeq.set(Number(seq), record as Record<string, unknown>);
    } catch {
      rejected++;
    }
  }
  const open = bySeq.get(1);
  if (!open || open.type !== "open") return undefined;
  const report: GuardReport = { classes: new Map(), planned: new Map(), results: new Map(), rejected };
  for (const [file, hash] of Object.entries((open.classes ?? {}) as Record<string, unknown>)) {
    if (typeof hash === "string") report.classes.set(file, hash);
  }
  for (const seq of [...bySeq.keys()].sort((a, b) => a - b)) {
    const record = bySeq.get(seq) as Record<string, unknown>;
    if (record.type === "plan" && Array.isArray(record.tests)) {
      for (const t of record.tests as Record<string, unknown>[]) {
        const id = str(t.id);
        if (id && !report.planned.has(id)) report.planned.set(id, { suite: str(t.suite) ?? "unknown", name: str(t.name) ?? id });
      }
    } else if (record.type === "result") {
      const id = str(record.id);
      const status = str(record.status);
      if (id && status && STATUSES.has(status) && !report.results.has(id)) {
        report.results.set(id, { status: status as ParsedTestCase["status"], message: str(record.message) });
      }
    }
  }
  return report;
}

export const UNFINISHED_MESSAGE =
  "did not finish: the test JVM ended before this test reported a result (the code under test called System.exit or Runtime.halt?)";

/**
 * The tests as the guard saw them, named as Surefire names them: a planned test without a result never finished
 * (the JVM was ended under it, or before it) and is an error. Undefined when no test plan was reported.
 */
export function guardResults(report: GuardReport): ParsedTestCase[] | undefined {
  if (report.planned.size === 0) return undefined;
  return [...report.planned].map(([id, { suite, name }]) => {
    const result = report.results.get(id);
    return {
      suite,
      name,
      status: result?.status ?? "error",
      durationMs: null,
      message: result ? result.message : UNFINISHED_MESSAGE,
      loadFailure: false,
    };
  });
}
