import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { ParsedTestCase } from "../../grading/junit-xml";

/**
 * The runner's side of `runnerguard.Records` (runner/guards/java): finds the guard's lines in the run's output and
 * keeps those whose HMAC-SHA256 under this run's key is right. The key was read and deleted by the guard before any
 * student code ran, so a line the code under test printed cannot carry a valid signature.
 */

/** What every line of the guard's starts with (runnerguard.Records.PREFIX): the runner keeps these lines apart from the log. */
export const GUARD_MARKER = "@@runnerguard ";

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
  /**
   * Why the signed records are not the whole story (a record missing from the sequence, fingerprints that do not
   * add up to what `open` announced, guard lines lost): the guard started, so its results are graded or nothing is.
   */
  incomplete: string[];
  /** The fingerprints are all there (their count and digest match `open`): a class that is not among them appeared later. */
  classesComplete: boolean;
}

const STATUSES = new Set(["passed", "failed", "error", "skipped"]);

function signatureOk(key: Buffer, seq: string, body: string, signature: string): boolean {
  const expected = createHmac("sha256", key).update(`${seq}:${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/**
 * `lines`: the guard's lines as the runner kept them (RunResult.markedLines); `linesLost`: some were not kept.
 * Undefined when no signed `open` record is there: the guard did not run in a JVM that had this run's key.
 */
export function readGuardReport(lines: string, keyHex: string, linesLost = false): GuardReport | undefined {
  const key = Buffer.from(keyHex, "hex");
  const bySeq = new Map<number, Record<string, unknown>>();
  let rejected = 0;
  for (const m of lines.matchAll(LINE)) {
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
  const report: GuardReport = { classes: new Map(), planned: new Map(), results: new Map(), rejected, incomplete: [], classesComplete: false };
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const last = seqs[seqs.length - 1] ?? 1;
  if (seqs.length !== last) report.incomplete.push(`${last - seqs.length} of the guard's ${last} records are missing`);
  if (linesLost) report.incomplete.push("the guard's records were more than the runner keeps, or the last one was cut off");
  const digest = createHash("sha256");
  for (const seq of seqs) {
    const record = bySeq.get(seq) as Record<string, unknown>;
    if (record.type === "classes" && typeof record.classes === "object" && record.classes !== null) {
      for (const [file, hash] of Object.entries(record.classes as Record<string, unknown>)) {
        if (typeof hash !== "string") continue;
        report.classes.set(file, hash);
        digest.update(`${file}\n${hash}\n`, "utf8");
      }
    } else if (record.type === "plan" && Array.isArray(record.tests)) {
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
  const announced = typeof open.files === "number" ? open.files : Number(str(open.files) ?? NaN);
  report.classesComplete = announced === report.classes.size && str(open.digest) === digest.digest("hex");
  if (!report.classesComplete) report.incomplete.push(`the guard announced ${str(open.files) ?? String(open.files)} class fingerprints, ${report.classes.size} arrived intact`);
  return report;
}

export const UNFINISHED_MESSAGE =
  "did not finish: the test JVM ended before this test reported a result (the code under test called System.exit or Runtime.halt?)";

/**
 * The tests as the guard saw them, named as Surefire names them: a planned test without a result never finished
 * (the JVM was ended under it, or before it) and is an error. Once the guard has started (its signed `open` is
 * there), its results are the only ones graded: when its records are incomplete, or it reported no plan, this is
 * empty (the expected tests did not run), never a reason to fall back to the XML, which code in the JVM can rewrite.
 */
export function guardResults(report: GuardReport): ParsedTestCase[] {
  if (report.incomplete.length > 0 || report.planned.size === 0) return [];
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
