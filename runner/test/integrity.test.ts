import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNNER_DIR, SAMPLES_DIR, startHarness, type Harness } from "./helpers/harness";
import { ATTACKS, HONEST_MULTI_FILE, HONEST_PARTIAL, JAVA, NODE, PYTHON, type Attack } from "./helpers/integrity-fixtures";

/**
 * Grading integrity through the real runner: a student raises the score only by passing the instructor's tests.
 * Every attack adds files to the honest partial solution; each must end with exactly the honest score, or be
 * refused as an invalid submission. They run against the sample PITs as shipped (recorded expected tests) and
 * against legacy copies with none of the new fields, which the defaults alone must protect.
 */
const LEGACY = (pit: string) => `legacy-${pit}`;
const MISSING_DEPENDENCY = "env-missing-dependency";

type Row = Awaited<ReturnType<Harness["api"]["waitForFinal"]>>;
interface Feedback {
  outcome: string;
  ignoredFiles?: { path: string; reason: string }[];
  notGraded?: unknown[];
}

let h: Harness;
let scratch: string;
let runner: ReturnType<Harness["startRunner"]>;
const rows = new Map<string, Row>();

async function source(base: string, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, "sub-"));
  await cp(base, dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

async function writePits(pitsDir: string): Promise<void> {
  for (const pit of [JAVA, PYTHON, NODE]) {
    const config = JSON.parse(await readFile(path.join(RUNNER_DIR, "pits", `${pit}.json`), "utf8")) as Record<string, unknown>;
    expect(config.expectedTests).toBeDefined();
    await writeFile(path.join(pitsDir, `${pit}.json`), JSON.stringify(config));
    await cp(path.join(RUNNER_DIR, "pits", pit), path.join(pitsDir, pit), { recursive: true });
    // A PIT as written before grading integrity: none of the new fields.
    const { expectedTests: _e, disabledTests: _d, studentFiles: _s, codePolicy: _c, ...legacy } = config;
    await writeFile(path.join(pitsDir, `${LEGACY(pit)}.json`), JSON.stringify(legacy));
    await cp(path.join(RUNNER_DIR, "pits", pit), path.join(pitsDir, LEGACY(pit)), { recursive: true });
  }
  // The environment's failure: the pom needs a dependency Debian's offline repository does not have.
  const javaConfig = await readFile(path.join(pitsDir, `${JAVA}.json`), "utf8");
  await writeFile(path.join(pitsDir, `${MISSING_DEPENDENCY}.json`), javaConfig);
  await cp(path.join(RUNNER_DIR, "pits", JAVA), path.join(pitsDir, MISSING_DEPENDENCY), { recursive: true });
  const pom = path.join(pitsDir, MISSING_DEPENDENCY, "pom.xml");
  const missing = "<dependency><groupId>org.example.absent</groupId><artifactId>absent</artifactId><version>9.9.9</version></dependency>";
  await writeFile(pom, (await readFile(pom, "utf8")).replace("<dependencies>", `<dependencies>${missing}`));
}

const key = (pit: string, name: string) => `${pit} :: ${name}`;
const feedbackOf = (row: Row | undefined) => row?.feedback as unknown as Feedback | undefined;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "integrity-"));
  const pitsDir = path.join(scratch, "pits");
  await mkdir(pitsDir);
  await writePits(pitsDir);
  h = await startHarness();
  // One retry, at once, so an environment failure reaches its final ERROR within the test.
  runner = h.startRunner({ RUNNER_PITS_DIR: pitsDir, RUNNER_CONCURRENCY: "2", RUNNER_MAX_RECEIVES: "2", RUNNER_RETRY_BASE_DELAY_SECONDS: "0" });
  const partial = (pit: string) => path.join(SAMPLES_DIR, pit, "partial");
  const jobs: { key: string; pitId: string; dir: string }[] = [];
  for (const attack of ATTACKS) {
    const dir = await source(partial(attack.pit), attack.files);
    jobs.push({ key: key(attack.pit, attack.name), pitId: attack.pit, dir });
    jobs.push({ key: key(LEGACY(attack.pit), attack.name), pitId: LEGACY(attack.pit), dir });
  }
  for (const honest of HONEST_MULTI_FILE) {
    const dir = await source(path.join(SAMPLES_DIR, honest.pit, "partial"), honest.files);
    jobs.push({ key: key(honest.pit, honest.name), pitId: honest.pit, dir });
    jobs.push({ key: key(LEGACY(honest.pit), honest.name), pitId: LEGACY(honest.pit), dir });
  }
  const withNotes = await source(partial(JAVA), { "README.md": "my notes\n" });
  jobs.push({ key: "java partial with notes", pitId: JAVA, dir: withNotes });
  jobs.push({ key: MISSING_DEPENDENCY, pitId: MISSING_DEPENDENCY, dir: path.join(SAMPLES_DIR, JAVA, "passing") });
  const submitted = await Promise.all(jobs.map(async (job) => ({ job, ...(await h.api.submit({ pitId: job.pitId, source: job.dir })) })));
  await Promise.all(submitted.map(async ({ job, submissionId }) => rows.set(job.key, await h.api.waitForFinal(submissionId, 400_000))));
}, 420_000);

afterAll(async () => {
  await h?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Exactly the honest score, or refused: nothing in between, nothing above. */
function expectNoGain(row: Row | undefined, pit: string): void {
  const feedback = feedbackOf(row);
  if (row?.status === "ERROR") {
    expect(feedback?.outcome).toBe("invalid_submission");
    return;
  }
  expect(row?.status).toBe("DONE");
  expect(Number(row?.score)).toBe(HONEST_PARTIAL[pit]);
}

describe.each(ATTACKS)("attack on $pit: $name", (attack: Attack) => {
  it.each([attack.pit, LEGACY(attack.pit)])("gains nothing on %s", (pitId) => {
    const row = rows.get(key(pitId, attack.name));
    expectNoGain(row, attack.pit);
    // Every file it was not allowed to contribute is named to the student, with the reason.
    if (row?.status === "DONE") {
      const ignored = feedbackOf(row)?.ignoredFiles?.map((f) => f.path) ?? [];
      const dropped = Object.keys(attack.files).filter((f) => !(attack.kept ?? []).includes(f));
      expect(ignored.sort()).toEqual(dropped.sort());
    }
  });
});

describe.each(HONEST_MULTI_FILE)("honest solution on $pit: $name", (honest: Attack) => {
  it.each([honest.pit, LEGACY(honest.pit)])("scores exactly 100 on %s, every file used", (pitId) => {
    const row = rows.get(key(pitId, honest.name));
    expect(row?.status).toBe("DONE");
    expect(Number(row?.score)).toBe(100);
    expect(feedbackOf(row)?.ignoredFiles).toBeUndefined();
  });
});

describe("controls", () => {
  it("keeps an honest partial solution's score when it also carries files the exercise does not take, and says which", () => {
    const row = rows.get("java partial with notes");
    expect(row?.status).toBe("DONE");
    expect(Number(row?.score)).toBe(HONEST_PARTIAL[JAVA]);
    expect(row?.feedback).toMatchObject({
      ignoredFiles: [{ path: "README.md", reason: "this exercise does not take this file from a submission" }],
      message: "1 of 3 tests passed. 1 file of your submission was not used (see ignoredFiles).",
    });
  });

  it("never records an environment failure as the student's grade: a dependency the repository lacks is retried, then ERROR", () => {
    const row = rows.get(MISSING_DEPENDENCY);
    expect(row?.status).toBe("ERROR");
    expect(row?.feedback).toMatchObject({ outcome: "internal_error", message: expect.stringMatching(/not a problem with your code/) });
    const failures = runner.logs.events("not-gradable").filter((l) => /Maven could not resolve a dependency/.test(String(l.msg)));
    expect(failures.length).toBe(2);
    expect(failures.every((l) => l.level === 50)).toBe(true);
  });
});
