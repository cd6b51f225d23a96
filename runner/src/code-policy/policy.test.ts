import { describe, expect, it } from "vitest";
import { CodePolicyError } from "../errors/runner-error";
import { createPolicy } from "./policy";

describe("createPolicy", () => {
  const defaults = ["java.lang.reflect", "java.lang.Runtime.exit", "java.lang.Thread", "os.system"];

  it("denies an API under a default entry, at name boundaries only", () => {
    const policy = createPolicy(defaults);
    expect(policy.deniedBy("java.lang.reflect.Method.invoke")).toBe("java.lang.reflect");
    expect(policy.deniedBy("java.lang.Thread")).toBe("java.lang.Thread");
    expect(policy.deniedBy("java.lang.Thread$State")).toBe("java.lang.Thread");
    expect(policy.deniedBy("java.lang.ThreadLocal")).toBeUndefined();
    expect(policy.deniedBy("java.lang.Runtime.availableProcessors")).toBeUndefined();
    expect(policy.deniedBy("os.systemd")).toBeUndefined();
  });

  it("lets a PIT allow a default away and deny more", () => {
    const policy = createPolicy(defaults, { allow: ["java.lang.Thread"], deny: ["java.util.Random"] });
    expect(policy.deniedBy("java.lang.Thread.start")).toBeUndefined();
    expect(policy.deniedBy("java.util.Random.nextInt")).toBe("java.util.Random");
    expect(policy.deniedBy("java.lang.reflect.Field")).toBe("java.lang.reflect");
  });

  it("lets the most specific entry decide", () => {
    const policy = createPolicy(defaults, { allow: ["java.lang"], deny: ["java.lang.Thread.stop"] });
    expect(policy.deniedBy("java.lang.reflect.Method")).toBe("java.lang.reflect");
    expect(policy.deniedBy("java.lang.Thread.start")).toBe("java.lang.Thread");
    expect(policy.deniedBy("java.lang.Thread.stop")).toBe("java.lang.Thread.stop");
    expect(policy.deniedBy("java.lang.String.format")).toBeUndefined();
  });

  it("breaks a tie of equal entries in favour of the PIT's deny", () => {
    expect(createPolicy([], { allow: ["os.system"], deny: ["os.system"] }).deniedBy("os.system")).toBe("os.system");
    expect(createPolicy(["os.system"], { allow: ["os.system"] }).deniedBy("os.system")).toBeUndefined();
  });
});

describe("CodePolicyError", () => {
  it("names the file and the API in plain words, and is never retried", () => {
    const error = new CodePolicyError([{ file: "Account.java", api: "Runtime.addShutdownHook", rule: "java.lang.Runtime.addShutdownHook" }]);
    expect(error.studentMessage).toBe(
      "Your submission was not graded: Account.java uses Runtime.addShutdownHook, which this exercise does not allow. Remove it and submit again.",
    );
    expect(error.outcome).toBe("invalid_submission");
    expect(error.retryable).toBe(false);
  });

  it("caps the list of findings", () => {
    const findings = Array.from({ length: 5 }, (_, i) => ({ file: `m${i}.py`, line: i + 1, api: "eval", rule: "eval" }));
    expect(new CodePolicyError(findings).studentMessage).toContain("m2.py:3 uses eval (and 2 more), which");
  });
});
