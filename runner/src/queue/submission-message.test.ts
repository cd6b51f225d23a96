import { describe, expect, it } from "vitest";
import { parseSubmissionMessage } from "./submission-message";

const valid = {
  submissionId: "0b7c6f5e-3f0e-4c71-9f55-2f0f4b6f7a10",
  fileKey: "submissions/u-42/0b7c6f5e-3f0e-4c71-9f55-2f0f4b6f7a10.zip",
  userId: "u-42",
  pitId: "java-maven-dummy-dev",
  createdAt: "2026-11-28T10:00:00.000Z",
};

describe("parseSubmissionMessage", () => {
  it("accepts the contract's example and ignores unknown fields", () => {
    const parsed = parseSubmissionMessage(JSON.stringify({ ...valid, extra: 1 }));
    expect(parsed).toEqual({ ok: true, message: valid });
  });

  it("rejects a body that is not JSON", () => {
    expect(parseSubmissionMessage("{nope")).toEqual({ ok: false, reason: "body is not JSON" });
    expect(parseSubmissionMessage(undefined)).toMatchObject({ ok: false });
  });

  it("names every missing or mistyped field and keeps a readable submissionId", () => {
    const parsed = parseSubmissionMessage(JSON.stringify({ ...valid, pitId: "", createdAt: "yesterday", userId: 3 }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toContain("pitId");
    expect(parsed.reason).toContain("createdAt");
    expect(parsed.reason).toContain("userId");
    expect(parsed.submissionId).toBe(valid.submissionId);
  });

  it("does not trust a submissionId that is not a UUID", () => {
    const parsed = parseSubmissionMessage(JSON.stringify({ ...valid, submissionId: "../../etc" }));
    expect(parsed).toMatchObject({ ok: false, submissionId: undefined });
  });

  it("rejects a JSON body that is not an object", () => {
    expect(parseSubmissionMessage("null")).toMatchObject({ ok: false, submissionId: undefined });
    expect(parseSubmissionMessage("[1]")).toMatchObject({ ok: false });
  });
});
