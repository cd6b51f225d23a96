import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { guardResults, readGuardReport, UNFINISHED_MESSAGE } from "./guard-records";

const KEY = randomBytes(32).toString("hex");

/** A record exactly as runnerguard.Records writes it. */
function line(seq: number, record: object, key = KEY): string {
  const body = Buffer.from(JSON.stringify(record)).toString("base64");
  const mac = createHmac("sha256", Buffer.from(key, "hex")).update(`${seq}:${body}`).digest("hex");
  return `\n@@runnerguard ${seq} ${body} ${mac}\n`;
}

const ID = (m: string) => `[engine:junit-jupiter]/[class:p.T]/[method:${m}()]`;
const OPEN = line(1, { type: "open", classes: { "target/classes/p/A.class": "ab".repeat(32) } });
const PLAN = line(2, {
  type: "plan",
  tests: ["one", "two", "three"].map((m) => ({ id: ID(m), suite: "p.T", name: m })),
});

describe("readGuardReport", () => {
  it("keeps the records signed with this run's key, in order, even when student output is around them", () => {
    const output = `[INFO] x${OPEN}student says hi${PLAN}no newline here${line(3, { type: "result", id: ID("one"), status: "passed" })}${line(4, {
      type: "result",
      id: ID("two"),
      status: "failed",
      message: "expected: <1> but was: <2>",
    })}`;
    const report = readGuardReport(output, KEY);
    expect(report?.classes.get("target/classes/p/A.class")).toBe("ab".repeat(32));
    expect(guardResults(report!)).toEqual([
      { suite: "p.T", name: "one", status: "passed", durationMs: null, message: null, loadFailure: false },
      { suite: "p.T", name: "two", status: "failed", durationMs: null, message: "expected: <1> but was: <2>", loadFailure: false },
      // Planned, never finished: the JVM ended under it.
      { suite: "p.T", name: "three", status: "error", durationMs: null, message: UNFINISHED_MESSAGE, loadFailure: false },
    ]);
  });

  it("ignores records the code under test forged (another key, a replayed number, a changed body)", () => {
    const forged = line(3, { type: "result", id: ID("three"), status: "passed" }, randomBytes(32).toString("hex"));
    const replay = line(2, { type: "plan", tests: [] });
    const genuine = line(3, { type: "result", id: ID("one"), status: "failed" });
    const changed = genuine.replace(/ (\S+) ([0-9a-f]{64})/, (_m, body: string, mac: string) => ` ${Buffer.from('{"type":"result","status":"passed"}').toString("base64")}${body.slice(0, 0)} ${mac}`);
    const report = readGuardReport(`${OPEN}${PLAN}${forged}${replay}${changed}${genuine}`, KEY);
    expect(report?.rejected).toBe(3);
    expect(guardResults(report!)?.map((t) => t.status)).toEqual(["failed", "error", "error"]);
  });

  it("finds no report without a signed open record, and no results without a plan", () => {
    expect(readGuardReport(PLAN, KEY)).toBeUndefined();
    expect(readGuardReport(OPEN.replace("@@runnerguard 1", "@@runnerguard 7"), KEY)).toBeUndefined();
    expect(guardResults(readGuardReport(OPEN, KEY)!)).toBeUndefined();
  });
});
