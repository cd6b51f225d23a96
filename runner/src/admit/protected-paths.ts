import path from "node:path";
import { PYTEST_MODULES, STDLIB_MODULES } from "./python-module-names";

/**
 * Paths a submission may never contribute, whatever the PIT's `studentFiles` allows: they would configure, extend
 * or shadow the build tool, the test framework, its plugins, assertion libraries or the language's standard
 * library, which belong to the instructor alone. Such files are dropped (never written), and the feedback says why.
 */
export interface PathContext {
  buildTool: string;
  /** Every file of the submission, for telling a Python package's own modules from top-level ones. */
  files: ReadonlySet<string>;
  /** Folders (never the root) in which the template ships its test files: everything under them is the exercise's. */
  templateTestDirs: readonly string[];
}

export const REASONS = {
  toolConfig: "it would configure the build or test tools, which belong to the exercise",
  tests: "it is a test or lies in a test folder: only the exercise's own tests run",
  binary: "it is compiled or binary code: submit source files only",
  shadow: (what: string) => `it would take the place of ${what}`,
} as const;

// Java packages of the test frameworks, assertion libraries, the build tool and the runner's own guard.
export const JAVA_TOOL_PACKAGES: readonly string[] = [
  "org/junit/", "junit/", "org/opentest4j/", "org/apiguardian/", "org/hamcrest/", "org/assertj/", "org/mockito/",
  "org/testng/", "org/apache/maven/", "runnerguard/", "grader/",
];
// The JDK's own packages, only where a package tree starts: `java/` is also the name of every Maven source folder.
const JDK_PACKAGES = ["java/", "javax/", "jdk/", "sun/", "com/sun/"];
const JAVA_SOURCE_ROOTS = ["", "src/main/java/", "src/main/resources/"];
const BINARY_EXTENSIONS = new Set([".class", ".jar", ".war", ".ear", ".so", ".dll", ".dylib", ".pyc", ".pyo", ".pyd", ".egg", ".whl", ".zip", ".pyz", ".node"]);

const PYTHON_CONFIG = new Set([
  "conftest.py", "pytest.ini", ".pytest.ini", "pytest.toml", ".pytest.toml", "tox.ini", "setup.cfg", "setup.py",
  "pyproject.toml", "sitecustomize.py", "usercustomize.py", ".coveragerc",
]);
const PYTHON_SHADOWED = new Set([...STDLIB_MODULES, ...PYTEST_MODULES]);
const NODE_CONFIG = new Set([
  "package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc", "node.config.json", ".noderc", "yarn.lock",
  ".yarnrc", ".yarnrc.yml", "pnpm-lock.yaml", "pnpm-workspace.yaml",
]);
const TEST_FOLDERS = new Set(["test", "tests", "__tests__"]);
// node --test's own patterns (Node 20-24): *.test.js, *-test.js, *_test.js, test-*.js, test.js, with cjs/mjs/ts.
const NODE_TEST_FILE = /(^test\.|^test-.+\.|[._-]test\.)(c|m)?[jt]s$/;
const PYTEST_TEST_FILE = /^(test_.*|.*_test)\.py$/;

function segmentsOf(file: string): string[] {
  return file.split("/");
}

function underTemplateTests(file: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => file.startsWith(`${dir}/`));
}

function javaReason(file: string, segments: string[]): string | undefined {
  if (segments.includes(".mvn") || segments.at(-1) === "pom.xml" || file.endsWith(".pom")) return REASONS.toolConfig;
  if (file.startsWith("src/test/") || file.includes("/src/test/")) return REASONS.tests;
  if (file.includes("META-INF/services/") || segments.at(-1) === "junit-platform.properties") return REASONS.toolConfig;
  // Anywhere: org/junit/... is the framework's package under any source root a pom could name.
  if (JAVA_TOOL_PACKAGES.some((p) => file.startsWith(p) || file.includes(`/${p}`))) return REASONS.shadow("the test framework or its tools");
  for (const root of JAVA_SOURCE_ROOTS) {
    if (!file.startsWith(root)) continue;
    const rest = file.slice(root.length);
    if (JDK_PACKAGES.some((p) => rest.startsWith(p))) return REASONS.shadow("Java's standard library");
  }
  return undefined;
}

/** A module is found by its top-level name when its folder is not itself a package (no __init__.py there). */
function shadowedPythonModule(segments: string[], files: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < segments.length; i++) {
    const parent = segments.slice(0, i).join("/");
    if (i > 0 && files.has(`${parent}/__init__.py`)) continue;
    const segment = segments[i]!;
    const isLast = i === segments.length - 1;
    const name = isLast ? (segment.endsWith(".py") ? segment.slice(0, -3) : undefined) : segment;
    if (name !== undefined && PYTHON_SHADOWED.has(name)) return name;
  }
  return undefined;
}

// Installed-package metadata: importlib.metadata reads it from every sys.path folder (the workspace among them), and
// pytest loads the plugins its entry_points.txt names (pytest11) before any test or conftest, as the instructor's.
const PACKAGE_METADATA = /\.(dist-info|egg-info|egg-link)$/i;

/**
 * A package marker at the workspace's root: pytest's default import mode would then import the template's root
 * conftest.py and test modules as parts of that package, running the student's __init__.py first. (Deeper ones stay:
 * a student's own package needs its __init__.py, and the runner's plugin snapshots pytest before any conftest.)
 */
function rootPackageMarker(segments: string[]): boolean {
  return segments.length === 1 && segments[0] === "__init__.py";
}

function pythonReason(segments: string[], context: PathContext): string | undefined {
  const { files } = context;
  const base = segments.at(-1)!;
  if (PYTHON_CONFIG.has(base) || base.endsWith(".pth") || segments.includes("__pycache__")) return REASONS.toolConfig;
  if (segments.some((s) => PACKAGE_METADATA.test(s))) return REASONS.toolConfig;
  if (rootPackageMarker(segments)) return REASONS.toolConfig;
  if (PYTEST_TEST_FILE.test(base) || segments.slice(0, -1).some((s) => TEST_FOLDERS.has(s))) return REASONS.tests;
  const module = shadowedPythonModule(segments, files);
  if (module) return REASONS.shadow(`Python's "${module}" module`);
  return undefined;
}

function nodeReason(segments: string[]): string | undefined {
  const base = segments.at(-1)!;
  if (NODE_CONFIG.has(base) || segments.includes("node_modules") || base.startsWith(".env")) return REASONS.toolConfig;
  if (NODE_TEST_FILE.test(base) || segments.slice(0, -1).some((s) => TEST_FOLDERS.has(s))) return REASONS.tests;
  return undefined;
}

/** Why `file` (posix, relative to the submission's root) may not be contributed, or undefined when it may. */
export function protectedReason(file: string, context: PathContext): string | undefined {
  const segments = segmentsOf(file);
  if (BINARY_EXTENSIONS.has(path.posix.extname(file).toLowerCase())) return REASONS.binary;
  if (underTemplateTests(file, context.templateTestDirs)) return REASONS.tests;
  switch (context.buildTool) {
    case "maven":
    case "gradle":
      return javaReason(file, segments);
    case "pytest":
      return pythonReason(segments, context);
    case "node":
    case "npm":
      return nodeReason(segments);
    default:
      // An unknown tool: refuse what every supported one treats as its own.
      return javaReason(file, segments) ?? pythonReason(segments, context) ?? nodeReason(segments);
  }
}

/** Whether a template file is one of the exercise's tests, so that its folder belongs to the exercise. */
export function isTemplateTest(file: string, buildTool: string): boolean {
  const base = path.posix.basename(file);
  switch (buildTool) {
    case "maven":
    case "gradle":
      return file.startsWith("src/test/java/") && base.endsWith(".java");
    case "pytest":
      return PYTEST_TEST_FILE.test(base);
    case "node":
    case "npm":
      return NODE_TEST_FILE.test(base) || segmentsOf(file).slice(0, -1).some((s) => TEST_FOLDERS.has(s));
    default:
      return false;
  }
}
