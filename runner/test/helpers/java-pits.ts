import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { RUNNER_DIR } from "./harness";

/** The sample Java PIT's template (pom + BankAccountTest) and its three expected tests. */
export const SAMPLE_PIT_DIR = path.join(RUNNER_DIR, "pits", "java-maven-dummy-dev");
export const PARTIAL = path.join(RUNNER_DIR, "samples", "java-maven-dummy-dev", "partial", "src", "main", "java", "dev", "dummy", "BankAccount.java");
const EXPECTED = ["depositIncreasesBalance", "withdrawMoreThanBalanceIsRejected", "withdrawDecreasesBalance"].map((name) => ({
  suite: "dev.dummy.BankAccountTest",
  name,
}));

/** A pom as instructors write one: JUnit 5 and the plugin versions Debian ships, no Surefire settings at all. */
export const PLAIN_POM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.dummy</groupId><artifactId>plain</artifactId><version>1.0</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <maven.compiler.release>17</maven.compiler.release>
  </properties>
  <dependencies>
    <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>5.9.2</version><scope>test</scope></dependency>
  </dependencies>
  <build><plugins>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.0</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.10.1</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>2.22.3</version></plugin>
  </plugins></build>
</project>
`;

export interface JavaPit {
  pitId: string;
  /** Copy this shipped PIT (`runner/pits/<id>.json` and its template) as it is; the other fields are ignored. */
  shipped?: string;
  /** Default: the sample's pom. */
  pom?: string;
  codePolicy?: { allow?: string[]; deny?: string[] };
  /** Extra template files, relative path -> content. */
  files?: Record<string, string>;
}

/** A pits folder of variants of the sample PIT (same tests and expected tests), for startRunner({ RUNNER_PITS_DIR }). */
export async function writeJavaPits(pits: JavaPit[]): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "java-pits-"));
  for (const pit of pits) {
    const template = path.join(dir, pit.pitId);
    if (pit.shipped) {
      await cp(path.join(RUNNER_DIR, "pits", pit.shipped), template, { recursive: true });
      await cp(path.join(RUNNER_DIR, "pits", `${pit.shipped}.json`), path.join(dir, `${pit.pitId}.json`));
      continue;
    }
    await cp(SAMPLE_PIT_DIR, template, { recursive: true });
    if (pit.pom) await writeFile(path.join(template, "pom.xml"), pit.pom);
    for (const [file, text] of Object.entries(pit.files ?? {})) {
      await mkdir(path.dirname(path.join(template, file)), { recursive: true });
      await writeFile(path.join(template, file), text);
    }
    const config = {
      language: "java",
      buildTool: "maven",
      testCommand: "mvn -q test",
      maxTimeoutMs: 120_000,
      requiredFiles: ["src/main/java/**/BankAccount.java"],
      expectedTests: EXPECTED,
      ...(pit.codePolicy ? { codePolicy: pit.codePolicy } : {}),
    };
    await writeFile(path.join(dir, `${pit.pitId}.json`), JSON.stringify(config, null, 2));
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A submission folder holding one BankAccount.java (plus any other student sources). */
export async function writeSubmission(root: string, name: string, sources: Record<string, string>): Promise<string> {
  const folder = path.join(root, name);
  for (const [file, text] of Object.entries(sources)) {
    const target = path.join(folder, "src", "main", "java", "dev", "dummy", file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  return folder;
}

/**
 * The partial sample (withdraw adds instead of subtracting: 1 of 3 tests pass, honest score 33.33) with `extra`
 * members added to its class and `withdrawExtra` run at the start of withdraw.
 */
export async function partialWith(extra: string, withdrawExtra = ""): Promise<string> {
  const text = await readFile(PARTIAL, "utf8");
  return text
    .replace("public class BankAccount {", `public class BankAccount {\n${extra}\n`)
    .replace("public void withdraw(long amount) {", `public void withdraw(long amount) {\n${withdrawExtra}\n`);
}
