import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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

/**
 * Records kept out of the grade by the size of the output (the reviewer's attack): many nested classes with long
 * names make the guard's fingerprints big, and the class prints ~700 KB when the first test touches it, so a 1 MiB
 * log that keeps its head and tail loses what lies between. `suppress`: the fingerprints straddle the end of the head,
 * so neither they nor the plan survive in the log (the guard "did not report": the XML used to be graded, with a
 * warning). `planCut`: the fingerprints end just before the end of the head (the runner's default
 * RUNNER_MAX_LOG_BYTES, 1 MiB: a head of 512 KiB) and the plan, printed right after them, is cut (the XML used to be
 * graded without a warning). Both register the hook that rewrites the XML: before the fix they scored 100.
 */
const HEAD_BYTES = 512 * 1024;
const OPEN_JSON_FIXED = '{"type":"open","classes":{}}'.length;
/** The length of one fingerprint entry `"<path>":"<64 hex>"` in the old single open record. */
const entry = (classPath: string) => classPath.length + 2 + 1 + 2 + 64;
function nestedClasses(names: string[]): string {
  return names.map((n) => `  static final class ${n} {}`).join("\n");
}
/** `count` nested classes with names of `length` characters. */
function longNames(count: number, length: number): string[] {
  return Array.from({ length: count }, (_, i) => "N".repeat(length - String(i).length) + String(i));
}
/** Names that make the old single `open` line end `slack` bytes before the end of the log's head. */
function namesEndingTheHead(slack: number): string[] {
  const fixed = [entry("target/classes/dev/dummy/BankAccount.class"), entry("target/test-classes/dev/dummy/BankAccountTest.class")];
  // The line: "\n@@runnerguard 1 " + base64(JSON) + " " + 64 hex + "\n".
  const targetB64 = HEAD_BYTES - slack - "\n@@runnerguard 1 ".length - 66;
  const targetJson = Math.floor((targetB64 * 3) / 4);
  let json = OPEN_JSON_FIXED + fixed.reduce((a, b) => a + b + 1, 0) - 1;
  const names: string[] = [];
  const nested = (name: string) => entry(`target/classes/dev/dummy/BankAccount$${name}.class`) + 1;
  for (let i = 0; ; i++) {
    const full = "N".repeat(200 - String(i).length) + String(i);
    if (json + nested(full) <= targetJson - nested("M1")) {
      names.push(full);
      json += nested(full);
      continue;
    }
    const rest = targetJson - json - nested("");
    names.push("M".repeat(Math.max(1, rest - String(i).length)) + String(i));
    return names;
  }
}
const FLOOD = String.raw`  static { System.out.print("x".repeat(700000)); System.out.println(); }`;
// Rewrites the XML at exit, then ends the JVM with 0, so that the run does not say that tests failed either.
const HOOK = `  static { Runtime.getRuntime().addShutdownHook(new Thread(() -> { rewrite(); Runtime.getRuntime().halt(0); })); }\n${REWRITE}`;

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
  suppress: () => partialWith(`${nestedClasses(longNames(1500, 200))}\n${FLOOD}\n${HOOK}`),
  planCut: () => partialWith(`${nestedClasses(namesEndingTheHead(300))}\n${FLOOD}\n${HOOK}`),
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
  // The guard's records lost to the log cap: graded from the guard's own channel, never from the rewritten XML.
  ["java-runtime", "suppress", { score: 33.33 }],
  ["java-runtime", "planCut", { score: 33.33 }],
];

/**
 * A test step that is the guard's first record and nothing more, as when the JVM ends (or its plan is lost) after the
 * session opened: a signed `open` (no class files), no plan, and an XML report in which every test passed. The
 * guard started, so its results (none) are graded, never the XML: 0, "did not run". Before the fix: 100.
 */
const OPEN_ONLY = String.raw`import base64, hashlib, hmac, json, os, sys
key = bytes.fromhex(open(os.environ["RUNNER_GUARD_KEY_FILE"]).read().strip())
body = base64.b64encode(json.dumps({"type": "open", "files": "0", "digest": hashlib.sha256(b"").hexdigest()}).encode()).decode()
sys.stderr.write("\n@@runnerguard 1 %s %s\n" % (body, hmac.new(key, ("1:" + body).encode(), hashlib.sha256).hexdigest()))
os.makedirs("target/surefire-reports", exist_ok=True)
cases = "".join('<testcase classname="dev.dummy.BankAccountTest" name="%s"/>' % n for n in ["depositIncreasesBalance", "withdrawMoreThanBalanceIsRejected", "withdrawDecreasesBalance"])
open("target/surefire-reports/TEST-dev.dummy.BankAccountTest.xml", "w").write('<testsuite name="dev.dummy.BankAccountTest" tests="3">%s</testsuite>' % cases)
`;

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
    { pitId: "java-open-only", files: { "open_only.py": OPEN_ONLY } },
  ]);
  const openOnly = path.join(pits.dir, "java-open-only.json");
  await writeFile(openOnly, JSON.stringify({ ...JSON.parse(await readFile(openOnly, "utf8")), testCommand: "python3 open_only.py" }));
  h = await startHarness();
  h.startRunner({ RUNNER_PITS_DIR: pits.dir, RUNNER_CONCURRENCY: "2" });
  const submitted = await Promise.all(
    CASES.map(async ([pit, attack]) => {
      const folder = await writeSubmission(scratch, `${pit}-${attack}`, { "BankAccount.java": await ATTACKS[attack]() });
      return { key: `${pit}/${attack}`, ...(await h.api.submit({ pitId: pit, source: folder })) };
    }),
  );
  const openOnlyRun = await h.api.submit({ pitId: "java-open-only", source: await writeSubmission(scratch, "open-only", { "BankAccount.java": await partialWith("") }) });
  submitted.push({ key: "java-open-only/partial", ...openOnlyRun });
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

describe("the guard started, then reported nothing more", () => {
  it("grades none of the XML's passes: DONE 0, the expected tests did not run", () => {
    const row = rows.get("java-open-only/partial");
    const feedback = row?.feedback as { outcome: string; message: string; tests: unknown[] };
    expect({ status: row?.status, score: Number(row?.score), outcome: feedback.outcome, message: feedback.message }).toEqual({
      status: "DONE",
      score: 0,
      outcome: "failed",
      message: "The expected tests did not run, so the score is 0.",
    });
  });
});
