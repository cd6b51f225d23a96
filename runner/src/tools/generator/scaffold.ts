import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** Relative path (with "/") -> file content. */
export type ScaffoldFiles = Record<string, string>;

const PLACEHOLDER = "Replace this skeleton with the exercise's tests";

/*
 * Plugin and library versions are the ones Debian packages in /usr/share/maven-repo, so the build
 * resolves offline; other versions would make Maven reach for the network and fail.
 */
const POM_XML = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>

  <groupId>edu.pit</groupId>
  <artifactId>submission</artifactId>
  <version>1.0</version>
  <packaging>jar</packaging>

  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <maven.compiler.release>17</maven.compiler.release>
  </properties>

  <dependencies>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>5.9.2</version>
      <scope>test</scope>
    </dependency>
    <!-- For grader.ExitGuard (src/test/java/grader), which keeps a System.exit in student code from dropping tests. -->
    <dependency>
      <groupId>org.junit.platform</groupId>
      <artifactId>junit-platform-launcher</artifactId>
      <version>1.9.1</version>
      <scope>test</scope>
    </dependency>
  </dependencies>

  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.10.1</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>2.22.3</version>
        <configuration>
          <!-- Surefire 2.22.3's forked JVM idles up to 10 s after the tests (its stdin feeder wakes only on the
               next 10 s ping), so the tests run in Maven's JVM; grader.ExitGuard handles System.exit. -->
          <forkCount>0</forkCount>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
`;

// Skeletons fail on purpose: a PIT published before its tests are written grades everyone 0, not 100.
const JAVA_TEST = `import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;

/** The instructor's tests: students submit src/main/java/..., this file comes from the PIT template. */
class SkeletonTest {
    @Test
    void replaceMe() {
        fail("${PLACEHOLDER}");
    }
}
`;

const PYTHON_TEST = `# The instructor's tests: students submit their modules, this file comes from the PIT template.


def test_replace_me():
    assert False, "${PLACEHOLDER}"
`;

const NODE_TEST = `// The instructor's tests: students submit their modules, this file comes from the PIT template.
const { test } = require("node:test");
const assert = require("node:assert/strict");

test("replace me", () => {
  assert.fail("${PLACEHOLDER}");
});
`;

const NPM_PACKAGE_JSON = `${JSON.stringify(
  {
    name: "submission",
    private: true,
    scripts: {
      test: "node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=reports/junit.xml",
    },
  },
  null,
  2,
)}\n`;

// Node 20's junit reporter does not create its destination folder; the template brings it along.
const REPORTS_KEEP = "Test reports are written here.\n";

/** The JUnit Platform listener every Java PIT ships; the sample PIT and the bench carry copies of this file. */
export const EXIT_GUARD_SOURCE = path.join(__dirname, "java", "ExitGuard.java");

const SCAFFOLDS: Record<string, ScaffoldFiles> = {
  maven: {
    "pom.xml": POM_XML,
    "src/test/java/SkeletonTest.java": JAVA_TEST,
    "src/test/java/grader/ExitGuard.java": readFileSync(EXIT_GUARD_SOURCE, "utf8"),
    "src/test/resources/META-INF/services/org.junit.platform.launcher.TestExecutionListener": "grader.ExitGuard\n",
  },
  pytest: { "tests/test_skeleton.py": PYTHON_TEST },
  node: { "test/skeleton.test.js": NODE_TEST, "reports/.keep": REPORTS_KEEP },
  npm: { "package.json": NPM_PACKAGE_JSON, "test/skeleton.test.js": NODE_TEST, "reports/.keep": REPORTS_KEEP },
};

export const SCAFFOLD_BUILD_TOOLS = Object.keys(SCAFFOLDS);

export function scaffoldFiles(buildTool: string): ScaffoldFiles | undefined {
  return SCAFFOLDS[buildTool];
}

/** Creates the files that are not there yet; an instructor's existing template files are never replaced. */
export async function writeScaffold(templateDir: string, files: ScaffoldFiles): Promise<{ created: string[]; kept: string[] }> {
  const created: string[] = [];
  const kept: string[] = [];
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(templateDir, ...relative.split("/"));
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await writeFile(target, content, { flag: "wx" });
      created.push(relative);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      kept.push(relative);
    }
  }
  return { created, kept };
}
