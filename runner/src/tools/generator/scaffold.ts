import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** Relative path (with "/") -> file content. */
export type ScaffoldFiles = Record<string, string>;

const PLACEHOLDER = "Replace this skeleton with the exercise's tests";

/*
 * Plugin and library versions are the ones Debian packages in /usr/share/maven-repo, so the build
 * resolves offline; other versions would make Maven reach for the network and fail. Nothing about Surefire:
 * the runner runs it in Maven's JVM and puts its own guard on the test classpath (backend.md, "Maven").
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

const SCAFFOLDS: Record<string, ScaffoldFiles> = {
  maven: {
    "pom.xml": POM_XML,
    "src/test/java/SkeletonTest.java": JAVA_TEST,
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
