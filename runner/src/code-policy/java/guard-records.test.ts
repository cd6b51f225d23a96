import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { guardResults, readGuardReport, UNFINISHED_MESSAGE } from "./guard-records";

const KEY = randomBytes(32).toString("hex");

/** A record exactly as runnerguard.Records writes it. */
function line(seq: number, record: object, key = KEY): string {
  const body = Buffer.from(JSON.stringify(record)).toString("base64");
  const mac = createHmac("sha256", Buffer.from(key, "hex")).update(`${seq}:${body}`).digest("hex");
  return `\n@@runnerguard ${seq} ${body} ${mac}\n`;
}

/** `open` (count and digest; Records writes numbers as strings) then the fingerprints in chunks of `per` entries. */
function openRecords(classes: Record<string, string>, per = 2): object[] {
  const entries = Object.entries(classes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = createHash("sha256");
  for (const [file, hash] of entries) digest.update(`${file}\n${hash}\n`);
  const chunks: object[] = [];
  for (let i = 0; i < entries.length; i += per) chunks.push({ type: "classes", classes: Object.fromEntries(entries.slice(i, i + per)) });
  return [{ type: "open", files: String(entries.length), digest: digest.digest("hex") }, ...chunks];
}

const ID = (m: string) => `[engine:junit-jupiter]/[class:p.T]/[method:${m}()]`;
const CLASSES = { "target/classes/p/A.class": "ab".repeat(32), "target/classes/p/B.class": "cd".repeat(32), "target/test-classes/p/T.class": "ef".repeat(32) };
// Records 1 (open), 2 and 3 (the fingerprints, two and one).
const OPENING = openRecords(CLASSES).map((r, i) => line(i + 1, r));
const OPEN = OPENING.join("");
const PLAN = line(4, {
  type: "plan",
  tests: ["one", "two", "three"].map((m) => ({ id: ID(m), suite: "p.T", name: m })),
});

describe("readGuardReport", () => {
  it("keeps the records signed with this run's key, in order, even when student output is around them", () => {
    const output = `[INFO] x${OPEN}student says hi${PLAN}no newline here${line(5, { type: "result", id: ID("one"), status: "passed" })}${line(6, {
      type: "result",
      id: ID("two"),
      status: "failed",
      message: "expected: <1> but was: <2>",
    })}`;
    const report = readGuardReport(output, KEY);
    expect(report?.classes).toEqual(new Map(Object.entries(CLASSES)));
    expect(report?.classesComplete).toBe(true);
    expect(report?.incomplete).toEqual([]);
    expect(guardResults(report!)).toEqual([
      { suite: "p.T", name: "one", status: "passed", durationMs: null, message: null, loadFailure: false },
      { suite: "p.T", name: "two", status: "failed", durationMs: null, message: "expected: <1> but was: <2>", loadFailure: false },
      // Planned, never finished: the JVM ended under it.
      { suite: "p.T", name: "three", status: "error", durationMs: null, message: UNFINISHED_MESSAGE, loadFailure: false },
    ]);
  });

  it("ignores records the code under test forged (another key, a replayed number, a changed body)", () => {
    const forged = line(5, { type: "result", id: ID("three"), status: "passed" }, randomBytes(32).toString("hex"));
    const replay = line(4, { type: "plan", tests: [] });
    const genuine = line(5, { type: "result", id: ID("one"), status: "failed" });
    const changed = genuine.replace(/ (\S+) ([0-9a-f]{64})/, (_m, body: string, mac: string) => ` ${Buffer.from('{"type":"result","status":"passed"}').toString("base64")}${body.slice(0, 0)} ${mac}`);
    const report = readGuardReport(`${OPEN}${PLAN}${forged}${replay}${changed}${genuine}`, KEY);
    expect(report?.rejected).toBe(3);
    expect(guardResults(report!).map((t) => t.status)).toEqual(["failed", "error", "error"]);
  });

  it("finds no report without a signed open record", () => {
    expect(readGuardReport(PLAN, KEY)).toBeUndefined();
    expect(readGuardReport(OPEN.replace("@@runnerguard 1", "@@runnerguard 7"), KEY)).toBeUndefined();
  });

  it("grades nothing (fails closed) once the guard has started but its plan or records are missing", () => {
    // No plan at all: the expected tests did not run; never a reason to read the XML.
    expect(guardResults(readGuardReport(OPEN, KEY)!)).toEqual([]);
    // A record missing from the sequence (here the plan, 4): the results that arrived are not graded either.
    const cut = readGuardReport(`${OPEN}${line(5, { type: "result", id: ID("one"), status: "passed" })}`, KEY)!;
    expect(cut.incomplete).toEqual(["1 of the guard's 5 records are missing"]);
    expect(guardResults(cut)).toEqual([]);
    // Lines the runner could not keep (more than its bound): whatever came after them is unknown.
    const lost = readGuardReport(`${OPEN}${PLAN}`, KEY, true)!;
    expect(lost.incomplete).toEqual([expect.stringContaining("more than the runner keeps")]);
    expect(guardResults(lost)).toEqual([]);
  });

  it("knows when the fingerprints do not add up to what open announced", () => {
    // The last chunk (record 3) lost and the numbering closed over it: the count and the digest say so.
    const renumbered = `${OPENING[0]!}${OPENING[1]!}${line(3, { type: "plan", tests: [{ id: ID("one"), suite: "p.T", name: "one" }] })}`;
    const report = readGuardReport(renumbered, KEY)!;
    expect(report.classesComplete).toBe(false);
    expect(report.incomplete).toEqual(["the guard announced 3 class fingerprints, 2 arrived intact"]);
    expect(guardResults(report)).toEqual([]);
    // A fingerprint changed inside a genuine-looking chunk is caught by the digest, not only by the count.
    const [open, , second] = openRecords(CLASSES);
    const swapped = line(1, open!) + line(2, { type: "classes", classes: { "target/classes/p/A.class": "00".repeat(32), "target/classes/p/B.class": "cd".repeat(32) } }) + line(3, second!);
    expect(readGuardReport(swapped, KEY)!.classesComplete).toBe(false);
  });

  it("reads thousands of fingerprints in bounded records", () => {
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`target/classes/p/${"N".repeat(200)}${i}.class`, "ab".repeat(32)]));
    const records = openRecords(many, 100).map((r, i) => line(i + 1, r));
    expect(Math.max(...records.map((r) => r.length))).toBeLessThan(64 * 1024);
    const report = readGuardReport(records.join(""), KEY)!;
    expect(report.classes.size).toBe(3000);
    expect(report.classesComplete).toBe(true);
  });
});
