/**
 * `npm run bench`: where a submission's time goes, and how much of it is the runner's own.
 * Starts fauxqs + PostgreSQL in this process, runs the real runner (compiled, in a process of its own, as in
 * production) against them and prints Markdown
 * tables (pasted into ../BENCHMARKS.md) plus a JSON file for comparing runs. See ../BENCHMARKS.md.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { closeClients, createClients } from "../src/clients";
import { loadConfig } from "../src/config";
import { compileForBench } from "./compile";
import { FakeApi } from "../src/local/fake-api";
import { startLocalStack } from "../src/local/local-stack";
import { TRIVIAL_PIT, writeTrivialPit, writeTrivialZip } from "./fixtures";
import { floorOnce, type FloorSample } from "./floor";
import { JAVA_PIT, JAVA_PLAIN_PIT, runJavaBench, writeJavaPits, type JavaBenchResult } from "./java";
import { codePolicyTable, runCodePolicyBench } from "./code-policy";
import { runSandboxOverhead, sandboxTable } from "./sandbox-overhead";
import { runMemoryBench, type MemoryResult } from "./memory";
import { floorTable, levelsTable, memoryTable, summarizeFloor, summarizeLevel, type LevelSummary } from "./report";
import { median, round } from "./stats";
import { runLevel, seedSubmissions, type LevelDeps } from "./throughput";

const { values: args } = parseArgs({
  options: {
    n: { type: "string", default: "200" },
    levels: { type: "string", default: "1,2,4" },
    json: { type: "string" },
    "no-memory": { type: "boolean", default: false },
    "no-java": { type: "boolean", default: false },
    // Only the Java PITs and their floor (issue 16's figures), without the trivial PIT and the 200 MB submission.
    "java-only": { type: "boolean", default: false },
    "java-n": { type: "string", default: "3" },
    "time-limit-s": { type: "string", default: "600" },
    // The code policy's static check and runtime guards on the samples (bench/code-policy.ts): alone or skipped.
    "code-policy-only": { type: "boolean", default: false },
    "no-code-policy": { type: "boolean", default: false },
    "code-policy-n": { type: "string", default: "15" },
    // A commit whose Python guards are measured in the same run, interleaved with the current ones.
    "code-policy-baseline": { type: "string" },
    // The sandbox's cost per run, the launcher against setpriv + ulimit (bench/sandbox-overhead.ts): alone or skipped.
    "sandbox-only": { type: "boolean", default: false },
    "no-sandbox": { type: "boolean", default: false },
    "sandbox-n": { type: "string", default: "15" },
  },
});

const TARGETS = { overheadRatio: 1.3, scaling4: 2.5, peakRssMb: 150, javaE2eMs: 4000, javaSampleRatio: 1.5, javaPlainRatio: 2 };

async function main(): Promise<void> {
  const n = Number(args.n);
  const levels = (args.levels ?? "1,2,4").split(",").map(Number);
  // Bounded whatever happens: a stuck stage must not leave the bench running.
  setTimeout(() => {
    console.error(`bench: over its time limit of ${args["time-limit-s"]} s; aborting`);
    process.exit(2);
  }, Number(args["time-limit-s"]) * 1000).unref();
  const sandboxSection = async () =>
    `\n## Sandbox cost per run (median of ${args["sandbox-n"]})\n\n${sandboxTable(await runSandboxOverhead(Number(args["sandbox-n"])))}`;
  if (args["sandbox-only"]) {
    console.log(await sandboxSection());
    return;
  }
  if (args["code-policy-only"]) {
    const baseline = args["code-policy-baseline"];
    const rows = await runCodePolicyBench(Number(args["code-policy-n"]), { baseline });
    console.log(`\n## Code policy checks (median of ${args["code-policy-n"]})\n\n${codePolicyTable(rows, baseline)}`);
    return;
  }

  const scratch = await mkdtemp(path.join(os.tmpdir(), "runner-bench-"));
  // mkdtemp makes it 0700; the sandbox uids must be able to pass through it to their workspaces.
  await chmod(scratch, 0o711);
  const pitsDir = path.join(scratch, "pits");
  const zipPath = path.join(scratch, "trivial.zip");
  const javaZip = path.join(scratch, "java.zip");
  await writeTrivialPit(pitsDir);
  await writeTrivialZip(zipPath);
  await writeJavaPits(pitsDir, javaZip);

  const [compiled, stack] = await Promise.all([compileForBench(path.join(scratch, "compiled")), startLocalStack()]);
  process.env.AWS_ACCESS_KEY_ID ??= stack.env.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY ??= stack.env.AWS_SECRET_ACCESS_KEY;
  const env = (overrides: Record<string, string> = {}) => ({
    ...stack.env,
    RUNNER_PITS_DIR: pitsDir,
    RUNNER_WORK_DIR: path.join(scratch, "work"),
    RUNNER_TMP_DIR: path.join(scratch, "tmp"),
    RUNNER_LOG_LEVEL: "info",
    // The compiled runner lives in the scratch folder, so its default guards folder (beside it) would be empty.
    RUNNER_GUARDS_DIR: path.resolve(__dirname, "..", "guards"),
    ...overrides,
  });
  const clients = createClients(loadConfig(env()));
  // pg-pool's end() resolves once its idle clients are told to end, not once their sockets close: one still open
  // when PostgreSQL stops gets its shutdown notice as an 'error', which would crash the bench on its way out.
  clients.pool.on("error", () => undefined);
  const api = new FakeApi({ ...clients, bucket: stack.bucket, queueUrl: stack.queueUrl });
  const deps: LevelDeps = { ...clients, api, bucket: stack.bucket, pitId: TRIVIAL_PIT, zipPath, env, compiled, cwd: scratch };

  try {
    if (args["java-only"]) {
      printJava(await runJavaBench(deps, javaZip, scratch, Number(args["java-n"])));
      return;
    }
    const summaries: LevelSummary[] = [];
    for (const concurrency of levels) {
      const level = await runLevel(deps, concurrency, n, Math.max(5, 2 * concurrency));
      summaries.push(summarizeLevel(level));
      console.log(`concurrency ${concurrency}: ${summaries.at(-1)?.perSecond} submissions/s`);
    }

    // The floor does the same S3, disk, spawn and SQL work per submission with no runner around it. It runs
    // paired with runner submissions at concurrency 1 (one each, in turn), so both see the same machine load.
    const floorSeed = await seedSubmissions(deps, n);
    const floorSamples: FloorSample[] = [];
    const floorDeps = { s3: clients.s3, pool: clients.pool, bucket: stack.bucket, scratch: path.join(scratch, "floor") };
    const paired = await runLevel(deps, 1, n, 5, 30_000, async () => {
      const next = floorSeed[floorSamples.length];
      if (next) floorSamples.push(await floorOnce(floorDeps, next.id, next.fileKey));
    });
    const pairedRunnerP50 = round(median(paired.samples.map((s) => s.processMs)), 2);
    const floor = summarizeFloor(floorSamples);

    const javaBench = args["no-java"] ? undefined : await runJavaBench(deps, javaZip, scratch, Number(args["java-n"]));
    const java = javaBench?.pits ?? [];

    let memory: MemoryResult | undefined;
    if (!args["no-memory"]) memory = await runMemoryBench(api, stack.env, scratch, compiled);

    const c1 = summaries.find((s) => s.concurrency === 1);
    const c4 = summaries.find((s) => s.concurrency === 4);
    const overheadRatio = round(pairedRunnerP50 / floor.total, 2);
    const e2eRatio = round(median(paired.samples.map((s) => s.latencyMs)) / floor.total, 2);
    const scaling4 = c1 && c4 ? round(c4.perSecond / c1.perSecond, 2) : undefined;
    // With the same CPU per submission, concurrency can at most fill the idle cores: the ceiling of any scaling here.
    const scalingCeiling = c1?.busyCores ? round(os.availableParallelism() / c1.busyCores, 2) : undefined;
    // One runner process has one event loop, which can never use more than one core, however many the machine has.
    const eventLoopCeiling = c1?.eventLoopCores ? round(1 / c1.eventLoopCores, 2) : undefined;
    const javaE2e = java.find((j) => j.pit === JAVA_PIT)?.latencyMs;
    const javaE2eMedian = javaE2e ? [...javaE2e].sort((a, b) => a - b)[Math.floor(javaE2e.length / 2)] : undefined;

    const machine = { nproc: os.availableParallelism(), cpu: os.cpus()[0]?.model, node: process.version, memGb: round(os.totalmem() / 2 ** 30) };
    const codePolicy = args["no-code-policy"] ? undefined : await runCodePolicyBench(Number(args["code-policy-n"]), { baseline: args["code-policy-baseline"] });
    const results = {
      date: new Date().toISOString(),
      machine,
      n,
      levels: summaries,
      floor,
      pairedRunnerP50Ms: pairedRunnerP50,
      overheadRatio,
      e2eRatio,
      scaling4,
      scalingCeiling,
      eventLoopCeiling,
      java,
      javaFloor: javaBench?.floor,
      javaRatios: javaBench?.ratios,
      memory,
      codePolicy,
      targets: TARGETS,
    };

    console.log(`\n## Trivial PIT (N=${n} per level, closed loop: <concurrency> messages outstanding)\n`);
    console.log(levelsTable(summaries));
    console.log(`\n## Floor (same work done directly, paired in turn with runner submissions; p50 ms)\n`);
    console.log(floorTable(floor));
    console.log(
      `\noverhead ratio (paired runner received->recorded p50 ${pairedRunnerP50} ms / floor p50, concurrency 1): ${overheadRatio} (target <= ${TARGETS.overheadRatio})`,
    );
    console.log(`end-to-end ratio (message sent->row final p50 / floor p50): ${e2eRatio}`);
    console.log(`throughput scaling, concurrency 4 / 1: ${scaling4} (target >= ${TARGETS.scaling4})`);
    if (scalingCeiling !== undefined) {
      console.log(`scaling ceiling on this machine (cores ${os.availableParallelism()} / busy cores at concurrency 1): ${scalingCeiling}`);
    }
    if (eventLoopCeiling !== undefined) {
      console.log(`scaling ceiling of one runner process (1 / its event loop's cores at concurrency 1): ${eventLoopCeiling}`);
    }
    if (javaBench) printJava(javaBench);
    if (javaE2eMedian !== undefined) console.log(`java end to end median: ${javaE2eMedian} ms (target < ${TARGETS.javaE2eMs})`);
    if (codePolicy) console.log(`\n## Code policy checks (median of ${args["code-policy-n"]})\n\n${codePolicyTable(codePolicy, args["code-policy-baseline"])}`);
    if (!args["no-sandbox"]) console.log(await sandboxSection());
    if (memory) {
      console.log(`\n## 200 MB submission: download + extract in a child process\n`);
      console.log(memoryTable(memory));
      console.log(`\npeak RSS ${round(memory.peakRssMb)} MB (target < ${TARGETS.peakRssMb})`);
    }

    const jsonPath = args.json ?? path.join(__dirname, "results", `${results.date.slice(0, 19).replaceAll(":", "-")}.json`);
    await mkdir(path.dirname(jsonPath), { recursive: true });
    await writeFile(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nresults written to ${jsonPath}`);
  } finally {
    await closeClients(clients);
    await stack.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Issue 16's figures: each Java PIT's message -> row and test CPU, against javac + the JUnit console launcher. */
function printJava(result: JavaBenchResult): void {
  const floorWall = median(result.floor.map((f) => f.wallMs));
  const floorCpu = median(result.floor.map((f) => f.cpuS));
  console.log(`\n## Java PITs (message -> row) against the direct floor (javac + JUnit console launcher), paired in turn\n`);
  console.log("| PIT | message -> row ms | median | run stage ms | test CPU s / submission | ratio to floor | target |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const j of result.pits) {
    const target = j.pit === JAVA_PIT ? TARGETS.javaSampleRatio : j.pit === JAVA_PLAIN_PIT ? TARGETS.javaPlainRatio : undefined;
    console.log(`| ${j.pit} | ${j.latencyMs.join(", ")} | ${median(j.latencyMs)} | ${j.runMs.join(", ")} | ${j.cpuS ?? "n/a"} | ${result.ratios[j.pit]} | <= ${target} |`);
  }
  console.log(`| floor | ${result.floor.map((f) => f.wallMs).join(", ")} | ${floorWall} | | ${floorCpu} | 1 | |`);
}

main().catch((error: unknown) => {
  console.error("bench failed:", error);
  process.exit(1);
});
