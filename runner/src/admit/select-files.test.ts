import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PitConfig } from "../pit-config/interfaces/pit-config.interface";
import { REASONS } from "./protected-paths";
import { requiredFilesOutside } from "./required-files";
import { NOT_ACCEPTED, PROVIDED, REPORT, selectStudentFiles } from "./select-files";

let base: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "select-files-"));
});
afterAll(() => rm(base, { recursive: true, force: true }));

async function pitWith(buildTool: string, template: string[], extra: Partial<PitConfig> = {}) {
  const templateDir = path.join(base, `${buildTool}-${Math.random().toString(36).slice(2)}`);
  for (const file of template) {
    await mkdir(path.dirname(path.join(templateDir, file)), { recursive: true });
    await writeFile(path.join(templateDir, file), "");
  }
  const config: PitConfig = { language: "x", buildTool, testCommand: "true", maxTimeoutMs: 1000, ...extra };
  return { pitId: "p", config, templateDir };
}

const reasonsOf = (ignored: { path: string; reason: string }[]) => Object.fromEntries(ignored.map((i) => [i.path, i.reason]));

describe("selectStudentFiles: Maven", () => {
  it("keeps every source, package and resource under src/main", async () => {
    const pit = await pitWith("maven", ["pom.xml", "src/test/java/dev/dummy/BankAccountTest.java"]);
    const kept = [
      "src/main/java/dev/dummy/BankAccount.java",
      "src/main/java/dev/dummy/util/Money.java",
      "src/main/java/other/pkg/Helper.java",
      "src/main/resources/rates.csv",
      "src/main/resources/config/.settings",
    ];
    expect(selectStudentFiles(pit)(kept)).toEqual({ studentFiles: [...kept].sort(), ignored: [] });
  });

  it("drops tests, build configuration, framework packages, the JDK's, binaries and registrations", async () => {
    const pit = await pitWith("maven", ["pom.xml", "src/test/java/dev/dummy/BankAccountTest.java"]);
    const result = selectStudentFiles(pit)([
      "src/main/java/dev/dummy/BankAccount.java",
      "pom.xml",
      ".mvn/maven.config",
      "src/test/java/dev/dummy/MyTest.java",
      "src/main/java/org/junit/jupiter/api/Assertions.java",
      "src/main/java/org/opentest4j/AssertionFailedError.java",
      "src/main/java/java/lang/Math.java",
      "src/main/resources/org/junit/jupiter/api/Assertions.class",
      "src/main/resources/META-INF/services/org.junit.platform.launcher.TestExecutionListener",
      "src/main/resources/junit-platform.properties",
      "src/main/java/runnerguard/Guard.java",
      "lib/evil.jar",
      "README.md",
    ]);
    expect(result.studentFiles).toEqual(["src/main/java/dev/dummy/BankAccount.java"]);
    expect(reasonsOf(result.ignored)).toEqual({
      "pom.xml": REASONS.toolConfig,
      ".mvn/maven.config": REASONS.toolConfig,
      "src/test/java/dev/dummy/MyTest.java": REASONS.tests,
      "src/main/java/org/junit/jupiter/api/Assertions.java": REASONS.shadow("the test framework or its tools"),
      "src/main/java/org/opentest4j/AssertionFailedError.java": REASONS.shadow("the test framework or its tools"),
      "src/main/java/java/lang/Math.java": REASONS.shadow("Java's standard library"),
      "src/main/resources/org/junit/jupiter/api/Assertions.class": REASONS.binary,
      "src/main/resources/META-INF/services/org.junit.platform.launcher.TestExecutionListener": REASONS.toolConfig,
      "src/main/resources/junit-platform.properties": REASONS.toolConfig,
      "src/main/java/runnerguard/Guard.java": REASONS.shadow("the test framework or its tools"),
      "lib/evil.jar": REASONS.binary,
      "README.md": NOT_ACCEPTED,
    });
  });

  it("keeps the tool rules even when the PIT takes every file", async () => {
    const pit = await pitWith("maven", [], { studentFiles: ["**"] });
    const result = selectStudentFiles(pit)(["Main.java", "pom.xml", "src/test/java/T.java"]);
    expect(result.studentFiles).toEqual(["Main.java"]);
  });
});

describe("selectStudentFiles: pytest", () => {
  it("keeps modules, packages and data files, also a package module named like the standard library", async () => {
    const pit = await pitWith("pytest", ["conftest.py", "tests/test_shapes.py"]);
    const kept = ["shapes.py", "geometry/__init__.py", "geometry/queue.py", "helpers/area.py", "data/points.csv"];
    expect(selectStudentFiles(pit)(kept)).toEqual({ studentFiles: [...kept].sort(), ignored: [] });
  });

  it("drops conftest at any depth, tool configuration, tests and shadowing modules", async () => {
    const pit = await pitWith("pytest", ["conftest.py", "tests/test_shapes.py"]);
    const result = selectStudentFiles(pit)([
      "shapes.py",
      "conftest.py",
      "sub/conftest.py",
      "pytest.ini",
      "setup.cfg",
      "pyproject.toml",
      "tox.ini",
      "evil.pth",
      "sitecustomize.py",
      "tests/test_mine.py",
      "test_extra.py",
      "pytest.py",
      "_pytest/__init__.py",
      "random.py",
      "lib/random.py",
      "__pycache__/shapes.cpython-311.pyc",
      "native.so",
      "evil-1.0.dist-info/entry_points.txt",
      "src/other.egg-info/entry_points.txt",
      "other.egg-link",
      "dep.whl",
      "__init__.py",
      "runner_code_policy_pytest.py",
      "usercustomize/__init__.py",
      "org/__init__.py",
    ]);
    expect(result.studentFiles).toEqual(["shapes.py"]);
    const reasons = reasonsOf(result.ignored);
    expect(reasons["sub/conftest.py"]).toBe(REASONS.toolConfig);
    expect(reasons["tests/test_mine.py"]).toBe(REASONS.tests);
    expect(reasons["test_extra.py"]).toBe(REASONS.tests);
    expect(reasons["pytest.py"]).toBe(REASONS.shadow('Python\'s "pytest" module'));
    expect(reasons["_pytest/__init__.py"]).toBe(REASONS.shadow('Python\'s "_pytest" module'));
    expect(reasons["random.py"]).toBe(REASONS.shadow('Python\'s "random" module'));
    // lib/ has no __init__.py: a tool that puts lib/ on the path would find it as `random`.
    expect(reasons["lib/random.py"]).toBe(REASONS.shadow('Python\'s "random" module'));
    expect(reasons["native.so"]).toBe(REASONS.binary);
    // Package metadata: pytest would load the plugins its entry points name.
    expect(reasons["evil-1.0.dist-info/entry_points.txt"]).toBe(REASONS.toolConfig);
    expect(reasons["src/other.egg-info/entry_points.txt"]).toBe(REASONS.toolConfig);
    expect(reasons["other.egg-link"]).toBe(REASONS.toolConfig);
    expect(reasons["dep.whl"]).toBe(REASONS.binary);
    // A package marker at the root: pytest would import the template's conftest.py through it, running it first.
    expect(reasons["__init__.py"]).toBe(REASONS.toolConfig);
    expect(reasons["runner_code_policy_pytest.py"]).toBe(REASONS.shadow('Python\'s "runner_code_policy_pytest" module'));
    expect(reasons["usercustomize/__init__.py"]).toBe(REASONS.shadow('Python\'s "usercustomize" module'));
    expect(reasons["org/__init__.py"]).toBe(REASONS.shadow('Python\'s "org" module'));
    expect(result.ignored).toHaveLength(24);
  });
});

describe("selectStudentFiles: node", () => {
  it("keeps modules in folders and the data they read", async () => {
    const pit = await pitWith("node", ["test/calculator.test.js"]);
    const kept = ["calculator.js", "lib/math.js", "lib/format.mjs", "data/input.json"];
    expect(selectStudentFiles(pit)(kept)).toEqual({ studentFiles: [...kept].sort(), ignored: [] });
  });

  it("drops test files and folders, package files, node_modules and the template's own files", async () => {
    const pit = await pitWith("node", ["test/calculator.test.js", "fixtures/given.json"]);
    const result = selectStudentFiles(pit)([
      "calculator.js",
      "test/mine.test.js",
      "test/helper.js",
      "extra.test.js",
      "lib/test-more.mjs",
      "package.json",
      ".npmrc",
      "node_modules/assert/index.js",
      "fixtures/given.json",
      "addon.node",
      "reports/junit.xml",
    ]);
    expect(result.studentFiles).toEqual(["calculator.js"]);
    const reasons = reasonsOf(result.ignored);
    expect(reasons["test/helper.js"]).toBe(REASONS.tests);
    expect(reasons["lib/test-more.mjs"]).toBe(REASONS.tests);
    expect(reasons["package.json"]).toBe(REASONS.toolConfig);
    expect(reasons["node_modules/assert/index.js"]).toBe(REASONS.toolConfig);
    expect(reasons["fixtures/given.json"]).toBe(PROVIDED);
    expect(reasons["reports/junit.xml"]).toBe(REPORT);
  });

  it("treats every folder of the template's tests as the exercise's", async () => {
    const pit = await pitWith("node", ["checks/calc.test.js"]);
    const result = selectStudentFiles(pit)(["calculator.js", "checks/also.js"]);
    expect(result.ignored).toEqual([{ path: "checks/also.js", reason: REASONS.tests }]);
  });
});

describe("requiredFilesOutside", () => {
  const config = (buildTool: string, requiredFiles: string[], studentFiles?: string[]) => ({ buildTool, requiredFiles, studentFiles });

  it("accepts required files a submission can provide", () => {
    expect(requiredFilesOutside(config("maven", ["src/main/java/**/BankAccount.java"]))).toEqual([]);
    expect(requiredFilesOutside(config("pytest", ["shapes.py"]))).toEqual([]);
    expect(requiredFilesOutside(config("node", ["calculator.js", "lib/*.{js,mjs}"]))).toEqual([]);
    // Some path the glob matches is one a submission may contribute.
    expect(requiredFilesOutside(config("node", ["solution.*"]))).toEqual([]);
    expect(requiredFilesOutside(config("pytest", ["src/*.py", "**/*"]))).toEqual([]);
  });

  it("names those outside studentFiles or owned by a tool", () => {
    expect(requiredFilesOutside(config("maven", ["Main.java", "pom.xml"]))).toEqual(["Main.java", "pom.xml"]);
    expect(requiredFilesOutside(config("pytest", ["conftest.py", "tests/test_a.py", "a.py"]))).toEqual(["conftest.py", "tests/test_a.py"]);
    expect(requiredFilesOutside(config("node", ["app.ts"], ["src/**"]))).toEqual(["app.ts"]);
    expect(requiredFilesOutside(config("node", ["solution.ts", "test/*.js"]))).toEqual(["solution.ts", "test/*.js"]);
  });
});
