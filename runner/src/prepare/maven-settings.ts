import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { EnvironmentError } from "../errors/runner-error";

/** Debian's packaged Maven repository: every plugin and library the PIT templates pin lives here. */
export const MAVEN_REPO = "/usr/share/maven-repo";

const SETTINGS = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by the runner for one run: Maven works offline against the system repository. -->
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <localRepository>${MAVEN_REPO}</localRepository>
  <offline>true</offline>
  <interactiveMode>false</interactiveMode>
</settings>
`;

/** The runner-owned Java guard (runner/guards/java, built by its build.sh) and the CDS archive of Maven's JVM. */
export function javaGuardFiles(guardsDir: string): { jar: string; cds: string } {
  return { jar: path.join(guardsDir, "java", "runner-guard.jar"), cds: path.join(guardsDir, "java", "maven.jsa") };
}

/**
 * JVM settings for a build that lasts seconds (measured in runner/BENCHMARKS.md, "Maven PITs"): C1 only and the
 * serial collector halve Maven's CPU; the class-data-sharing archive built with the image saves another ~0.5 s of
 * class loading. A PIT's own MAVEN_OPTS come after these, so it can override them (-XX:TieredStopAtLevel=4).
 */
const JVM_OPTS = [
  "-XX:TieredStopAtLevel=1",
  "-XX:+UseSerialGC",
  // Maven 3.8's jansi 2.4 writes ESC[0m resets to stdout and stderr even in batch mode without colours.
  "-Djansi.noreset=true",
];

function isFile(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

export interface MavenRun {
  env: Record<string, string>;
  /** Kept by the runner; the guard signs its records with it (src/code-policy/java/guard-records.ts). */
  guardKey: string;
}

/**
 * Everything the runner does to a Maven run, written after the template overlay:
 * - `$HOME/.m2/settings.xml`: offline, Debian's repository. Java takes `user.home` from the password database,
 *   not from $HOME, so MAVEN_OPTS points it at the run's home (last, so nothing overrides it);
 * - `.mvn/maven.config` (whatever `.mvn/` the workspace holds is replaced): batch mode without colours, Surefire in
 *   Maven's own JVM unless the pom pins its own forkCount (a pom's configuration beats a user property), and the
 *   guard jar on the test classpath (`maven.test.additionalClasspath`);
 * - a random key in the run's private temp folder, named by RUNNER_GUARD_KEY_FILE, that the guard reads and
 *   deletes before any student code runs.
 */
export async function prepareMavenRun(options: {
  workspace: string;
  home: string;
  tmp: string;
  guardsDir: string;
  pitMavenOpts?: string;
}): Promise<MavenRun> {
  const { jar, cds } = javaGuardFiles(options.guardsDir);
  if (!isFile(jar)) throw new EnvironmentError(`the runner's Java guard ${jar} is missing (build it with guards/java/build.sh)`);
  // maven.config splits its arguments on whitespace and Surefire the class path on commas.
  if (/[\s,]/.test(jar)) throw new EnvironmentError(`RUNNER_GUARDS_DIR must not contain whitespace or commas: ${options.guardsDir}`);
  const mvnDir = path.join(options.workspace, ".mvn");
  await rm(mvnDir, { recursive: true, force: true });
  await mkdir(mvnDir);
  const mavenArgs = ["-B", "-Dstyle.color=never", "-DforkCount=0", `-Dmaven.test.additionalClasspath=${jar}`];
  const guardKey = randomBytes(32).toString("hex");
  const keyFile = path.join(options.tmp, "runner-guard.key");
  await Promise.all([
    writeFile(path.join(mvnDir, "maven.config"), `${mavenArgs.join("\n")}\n`),
    mkdir(path.join(options.home, ".m2"), { recursive: true }).then(() => writeFile(path.join(options.home, ".m2", "settings.xml"), SETTINGS)),
    writeFile(keyFile, `${guardKey}\n`, { mode: 0o600 }),
  ]);
  const cdsOpts = isFile(cds) ? [`-XX:SharedArchiveFile=${cds}`, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"] : [];
  const mavenOpts = [...JVM_OPTS, ...cdsOpts, options.pitMavenOpts, `-Duser.home=${options.home}`].filter(Boolean).join(" ");
  return { env: { MAVEN_OPTS: mavenOpts, RUNNER_GUARD_KEY_FILE: keyFile }, guardKey };
}
