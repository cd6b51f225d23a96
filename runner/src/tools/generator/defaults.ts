import { DEFAULT_STUDENT_FILES } from "../../admit/select-files";

export const DEFAULT_LANGUAGE = "java";
export const DEFAULT_BUILD_TOOL = "maven";
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Each language's usual build tool, so picking `python` does not leave `maven` as the suggestion. */
const BUILD_TOOL_BY_LANGUAGE: Record<string, string> = {
  java: "maven",
  python: "pytest",
  javascript: "node",
};

/**
 * The test commands the runner's graders expect: pytest and node write JUnit XML to reports/,
 * Maven Surefire writes its own reports under target/surefire-reports/.
 */
const TEST_COMMAND_BY_BUILD_TOOL: Record<string, string> = {
  maven: "mvn -q test",
  pytest: "/usr/bin/python3 -m pytest -q --junitxml=reports/junit.xml",
  node: "node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=reports/junit.xml",
  npm: "npm test",
};

/** The build tool's default `studentFiles`, as the generator suggests and writes them. */
export function defaultStudentFiles(buildTool: string): string {
  return (DEFAULT_STUDENT_FILES[buildTool] ?? ["**"]).join(", ");
}

export function defaultBuildTool(language: string): string {
  return BUILD_TOOL_BY_LANGUAGE[language] ?? DEFAULT_BUILD_TOOL;
}

/** Undefined for a build tool the runner does not know: the instructor must then say how to run the tests. */
export function defaultTestCommand(buildTool: string): string | undefined {
  return TEST_COMMAND_BY_BUILD_TOOL[buildTool];
}
