import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./helpers/harness";
import { partialWith, PLAIN_POM, writeJavaPits, writeSubmission } from "./helpers/java-pits";

/**
 * Solution code that tampers from inside the test JVM (issue 14, Java), starting from the partial sample (honest
 * score 33.33). Each attack must end ERROR invalid_submission naming the file and the API (the static check of the
 * compiled classes), or DONE with exactly the honest score (the runner-owned guard's signed results).
 * `java-runtime` and `java-plain-runtime` allow the attacks' APIs, so only the runtime layer stands in their way.
 */

// Rewrites every Surefire report so that no test failed: what a shutdown hook or a thread would do after Surefire wrote them.
const REWRITE = String.raw`
  static void rewrite() {
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Paths.get("target", "surefire-reports"))) {
      for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
        if (!f.toString().endsWith(".xml")) continue;
        String x = java.nio.file.Files.readString(f);
        x = x.replaceAll("(?s)<failure[^>]*>.*?</failure>", "").replaceAll("<failure[^>]*/>", "").replaceAll("failures=\"\\d+\"", "failures=\"0\"");
        java.nio.file.Files.writeString(f, x);
      }
    } catch (Exception e) { }
  }`;

const FAKE_REPORT = String.raw`
  static {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createDirectories(java.nio.file.Paths.get("target", "surefire-reports"));
      java.nio.file.Files.writeString(dir.resolve("TEST-dev.dummy.Fake.xml"), "<testsuite name=\"dev.dummy.BankAccountTest\">"
          + "<testcase classname=\"dev.dummy.BankAccountTest\" name=\"withdrawDecreasesBalance\"/>"
          + "<testcase classname=\"dev.dummy.BankAccountTest\" name=\"withdrawMoreThanBalanceIsRejected\"/></testsuite>");
    } catch (Exception e) { }
  }`;

// Registers the hook, then puts the bytes of a harmless nested class where its own class file was, so that the
// static check after the run would read nothing forbidden.
const REPLACE_CLASS = String.raw`
  static final class Clean { long v; }
  static {
    Runtime.getRuntime().addShutdownHook(new Thread(BankAccount::rewrite));
    try {
      java.nio.file.Path dir = java.nio.file.Paths.get("target", "classes", "dev", "dummy");
      java.nio.file.Files.copy(dir.resolve("BankAccount$Clean.class"), dir.resolve("BankAccount.class"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (Exception e) { }
  }
${REWRITE}`;

const ATTACKS = {
  hook: () => partialWith(`  static { Runtime.getRuntime().addShutdownHook(new Thread(BankAccount::rewrite)); }\n${REWRITE}`),
  thread: () =>
    partialWith(String.raw`
  static {
    Thread t = new Thread(() -> { for (int i = 0; i < 2000; i++) { rewrite(); try { Thread.sleep(5); } catch (InterruptedException e) { return; } } });
    t.setDaemon(true);
    t.start();
  }
${REWRITE}`),
  reflection: () =>
    partialWith("", `    try { java.lang.reflect.Field f = Class.forName("runnerguard.Records").getDeclaredField("key"); f.setAccessible(true); f.set(null, null); } catch (Exception e) { }`),
  fakeReport: () => partialWith(FAKE_REPORT),
  halt: () => partialWith("", "    Runtime.getRuntime().halt(0);"),
  exit: () => partialWith("", "    System.exit(0);"),
  replaceClass: () => partialWith(REPLACE_CLASS),
};
type Attack = keyof typeof ATTACKS;

// The most specific entry wins (src/code-policy/policy.ts), so each denied member is allowed by its own name.
const RUNTIME_ALLOW = [
  "java.lang.Runtime.addShutdownHook",
  "java.lang.Thread",
  "java.nio.file.Files.writeString",
  "java.nio.file.Files.createDirectories",
  "java.nio.file.Files.copy",
  "java.lang.Runtime.halt",
  "java.lang.System.exit",
];

/** [pit, attack, expected]: `api` = refused naming it, a number = DONE with exactly that score. */
const CASES: [string, Attack, { api: string } | { score: number }][] = [
  ["java-default", "hook", { api: "Runtime.addShutdownHook" }],
  ["java-default", "thread", { api: "new Thread" }],
  ["java-default", "reflection", { api: "Class.forName" }],
  ["java-default", "fakeReport", { api: "Files.writeString" }],
  ["java-default", "halt", { api: "Runtime.halt" }],
  ["java-default", "exit", { api: "System.exit" }],
  ["java-default", "replaceClass", { api: "a class file that changed after it was compiled" }],
  ["java-plain", "exit", { api: "System.exit" }],
  ["java-plain", "halt", { api: "Runtime.halt" }],
  // The runtime layer alone: the static check lets these APIs through.
  ["java-runtime", "hook", { score: 33.33 }],
  ["java-runtime", "thread", { score: 33.33 }],
  ["java-runtime", "fakeReport", { score: 33.33 }],
  ["java-runtime", "halt", { score: 33.33 }],
  ["java-runtime", "exit", { score: 33.33 }],
  ["java-runtime", "replaceClass", { api: "a class file that changed after it was compiled" }],
  ["java-plain-runtime", "exit", { score: 33.33 }],
  ["java-plain-runtime", "halt", { score: 33.33 }],
];

let h: Harness;
let scratch: string;
let pits: Awaited<ReturnType<typeof writeJavaPits>>;
const rows = new Map<string, Awaited<ReturnType<Harness["api"]["waitForFinal"]>>>();

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "tamper-java-"));
  pits = await writeJavaPits([
    { pitId: "java-default" },
    { pitId: "java-plain", pom: PLAIN_POM },
    { pitId: "java-runtime", codePolicy: { allow: RUNTIME_ALLOW } },
    { pitId: "java-plain-runtime", pom: PLAIN_POM, codePolicy: { allow: RUNTIME_ALLOW } },
  ]);
  h = await startHarness();
  h.startRunner({ RUNNER_PITS_DIR: pits.dir, RUNNER_CONCURRENCY: "2" });
  const submitted = await Promise.all(
    CASES.map(async ([pit, attack]) => {
      const folder = await writeSubmission(scratch, `${pit}-${attack}`, { "BankAccount.java": await ATTACKS[attack]() });
      return { key: `${pit}/${attack}`, ...(await h.api.submit({ pitId: pit, source: folder })) };
    }),
  );
  await Promise.all(submitted.map(async ({ key, submissionId }) => rows.set(key, await h.api.waitForFinal(submissionId, 280_000))));
}, 300_000);
afterAll(async () => {
  await h?.stop();
  await pits?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe.each(CASES)("%s / %s", (pit, attack, expected) => {
  it("api" in expected ? `is refused: BankAccount.java uses ${expected.api}` : `is DONE with exactly ${expected.score}`, () => {
    const row = rows.get(`${pit}/${attack}`);
    const feedback = row?.feedback as { outcome: string; message: string; tests?: { name: string; status: string; message: string | null }[] };
    if ("api" in expected) {
      expect(row?.status).toBe("ERROR");
      expect(feedback.outcome).toBe("invalid_submission");
      expect(feedback.message).toContain(`src/main/java/dev/dummy/BankAccount.java uses ${expected.api}`);
    } else {
      expect({ status: row?.status, score: Number(row?.score), message: feedback.message }).toMatchObject({ status: "DONE", score: expected.score });
      expect(feedback.tests?.find((t) => t.name === "depositIncreasesBalance")?.status).toBe("passed");
    }
  });
});

describe("what the guard reports for a JVM ended under a test", () => {
  it.each(["java-runtime", "java-plain-runtime"])("%s: Runtime.halt(0) leaves the running test an error, not a pass", (pit) => {
    const tests = (rows.get(`${pit}/halt`)?.feedback as { tests: { name: string; status: string; message: string | null }[] }).tests;
    const unfinished = tests.filter((t) => t.status === "error");
    expect(unfinished.length).toBeGreaterThanOrEqual(1);
    expect(unfinished[0]?.message).toContain("called System.exit or Runtime.halt");
  });
});
