import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { zipFolder } from "../src/local/zip-folder";
import { EXIT_GUARD_SOURCE } from "../src/tools/generator/scaffold";

export const JAVA_PIT = "bench-java";
export const JAVA_FORK_PIT = "bench-java-fork";

const SOURCE = path.join(__dirname, "java-pit");
const MAVEN = "mvn -o -q -B -Dmaven.repo.local=/usr/share/maven-repo";

/**
 * Two Java PITs over the same template: `bench-java` as the template pom sets it (tests in Maven's JVM
 * with the ExitGuard listener), and `bench-java-fork` with Surefire's default forked JVM, for comparison.
 */
export async function writeJavaPits(pitsDir: string, zipPath: string): Promise<void> {
  for (const pitId of [JAVA_PIT, JAVA_FORK_PIT]) {
    const dir = path.join(pitsDir, pitId);
    await mkdir(dir, { recursive: true });
    await cp(path.join(SOURCE, "template"), dir, { recursive: true });
    // The listener every Java PIT ships, from its one canonical copy (its service file is in the template).
    await cp(EXIT_GUARD_SOURCE, path.join(dir, "src", "test", "java", "grader", "ExitGuard.java"));
    const config = { language: "java", buildTool: "maven", testCommand: `${MAVEN} test`, maxTimeoutMs: 120_000 };
    await writeFile(path.join(pitsDir, `${pitId}.json`), JSON.stringify(config));
  }
  // The pom's own configuration wins over -D flags, so the comparison PIT gets its own pom.
  const forkPom = path.join(pitsDir, JAVA_FORK_PIT, "pom.xml");
  const pom = await readFile(forkPom, "utf8");
  if (!pom.includes("<forkCount>0</forkCount>")) throw new Error("template pom no longer sets forkCount 0");
  await writeFile(forkPom, pom.replace("<forkCount>0</forkCount>", "<forkCount>1</forkCount>"));
  await zipFolder(path.join(SOURCE, "submission"), zipPath);
}
