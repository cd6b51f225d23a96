import { spawn } from "node:child_process";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { zipFolder } from "../src/local/zip-folder";
import { PLAIN_POM } from "../test/helpers/java-pits";
import { median, round } from "./stats";
import { runLevel, type LevelDeps } from "./throughput";

/** The sample PIT as shipped (its pom pins the plugin versions, nothing about Surefire) and a plain pom beside it. */
export const JAVA_PIT = "bench-java-sample";
export const JAVA_PLAIN_PIT = "bench-java-plain";

const RUNNER_DIR = path.resolve(__dirname, "..");
const SAMPLE_TEMPLATE = path.join(RUNNER_DIR, "pits", "java-maven-dummy-dev");
const SAMPLE_SUBMISSION = path.join(RUNNER_DIR, "samples", "java-maven-dummy-dev", "passing");
const CONSOLE = "/usr/share/java/junit-platform-console-standalone.jar";

/** As instructors write one: JUnit 5 and the plugin versions Debian ships, no Surefire settings. */

/** Both PITs grade the sample's passing submission with the sample's tests and `mvn -q test`, as the sample PIT does. */
export async function writeJavaPits(pitsDir: string, zipPath: string): Promise<void> {
  const config = JSON.parse(await readFile(`${SAMPLE_TEMPLATE}.json`, "utf8")) as Record<string, unknown>;
  for (const pitId of [JAVA_PIT, JAVA_PLAIN_PIT]) {
    await cp(SAMPLE_TEMPLATE, path.join(pitsDir, pitId), { recursive: true });
    await writeFile(path.join(pitsDir, `${pitId}.json`), JSON.stringify(config));
  }
  await writeFile(path.join(pitsDir, JAVA_PLAIN_PIT, "pom.xml"), PLAIN_POM);
  await zipFolder(SAMPLE_SUBMISSION, zipPath);
}

export interface JavaFloorSample {
  wallMs: number;
  /** user + sys of javac, javac and the console launcher. */
  cpuS: number;
}

/**
 * The same work done directly: javac the student's sources, javac the tests against them, run the JUnit console
 * launcher (Debian's junit5 package) writing JUnit XML. bash's `times` gives the children's user and sys time.
 */
export async function javaFloorOnce(scratch: string): Promise<JavaFloorSample> {
  const dir = path.join(scratch, "java-floor");
  await rm(dir, { recursive: true, force: true });
  await cp(SAMPLE_SUBMISSION, dir, { recursive: true });
  await cp(SAMPLE_TEMPLATE, dir, { recursive: true });
  const script = [
    "set -e",
    `javac -nowarn --release 17 -d out/classes $(find src/main/java -name '*.java')`,
    `javac -nowarn --release 17 -d out/test-classes -cp out/classes:${CONSOLE} $(find src/test/java -name '*.java')`,
    `java -jar ${CONSOLE} -cp out/classes:out/test-classes --scan-classpath out/test-classes --reports-dir out/reports --disable-banner --details=none >/dev/null`,
    "times",
  ].join("\n");
  const started = performance.now();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`java floor exited ${code}`))));
  });
  const wallMs = performance.now() - started;
  // `times`: the shell's own user/sys, then its children's: "0m3.610s 0m0.220s".
  const children = output.trim().split("\n").at(-1) ?? "";
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wallMs: round(wallMs), cpuS: round(seconds.reduce((a, b) => a + b, 0), 2) };
}

export interface JavaBench {
  pit: string;
  latencyMs: number[];
  runMs: number[];
  /** The test processes' user + sys per submission (the runner's reaped children, from /proc). */
  cpuS: number | undefined;
}

export interface JavaBenchResult {
  pits: JavaBench[];
  floor: JavaFloorSample[];
  /** Median message -> row of each PIT over the median floor wall time. */
  ratios: Record<string, number>;
}

/**
 * Each PIT through a fresh runner (one warm-up submission first), with the floor run after each measured
 * submission (paired in turn, as the trivial PIT's floor is), so the PITs and the floor see the same machine load.
 */
export async function runJavaBench(deps: LevelDeps, javaZip: string, scratch: string, count: number): Promise<JavaBenchResult> {
  const pits: JavaBench[] = [];
  const floor: JavaFloorSample[] = [];
  for (const pit of [JAVA_PIT, JAVA_PLAIN_PIT]) {
    const level = await runLevel({ ...deps, pitId: pit, zipPath: javaZip }, 1, count, 1, 120_000, async () => {
      floor.push(await javaFloorOnce(scratch));
    });
    const children = level.runnerCores?.children;
    pits.push({
      pit,
      latencyMs: level.samples.map((s) => round(s.latencyMs)),
      runMs: level.samples.map((s) => s.stages.run ?? Number.NaN),
      // Cores kept busy by the runner's reaped children over the level, floor excluded (the bench's own child).
      cpuS: children === undefined ? undefined : round((children * level.elapsedMs) / 1000 / count, 2),
    });
  }
  const floorWall = median(floor.map((f) => f.wallMs));
  const ratios = Object.fromEntries(pits.map((b) => [b.pit, round(median(b.latencyMs) / floorWall, 2)]));
  return { pits, floor, ratios };
}
