import { EMF_LIMITS, EMF_UNITS } from "./emf";

/**
 * What the EMF specification requires of a record, as a list of problems (empty when the record is valid).
 * Written from the specification, independently of emf.ts, so the tests check the builders against the format
 * rather than against themselves.
 */
export function emfProblems(record: unknown): string[] {
  if (!isObject(record)) return ["the record is not a JSON object"];
  const aws = record._aws;
  if (!isObject(aws)) return ["_aws is missing or not an object"];
  const problems: string[] = [];
  const timestamp = aws.Timestamp;
  if (typeof timestamp !== "number" || !Number.isInteger(timestamp) || timestamp <= 0) {
    problems.push("_aws.Timestamp must be a number of milliseconds since the epoch");
  }
  if (!Array.isArray(aws.CloudWatchMetrics)) return [...problems, "_aws.CloudWatchMetrics must be an array"];
  aws.CloudWatchMetrics.forEach((directive: unknown, i) => {
    problems.push(...directiveProblems(record, directive).map((p) => `CloudWatchMetrics[${i}]: ${p}`));
  });
  return problems;
}

const NAMESPACE = /^[a-zA-Z0-9._#:/-]{1,255}$/;
const ASCII = /^[\x20-\x7e]+$/;

function directiveProblems(root: Record<string, unknown>, directive: unknown): string[] {
  if (!isObject(directive)) return ["the directive is not an object"];
  const problems = extraMembers(directive, ["Namespace", "Dimensions", "Metrics"]);
  if (typeof directive.Namespace !== "string" || !NAMESPACE.test(directive.Namespace)) {
    problems.push("Namespace must be a string of 1-255 characters [a-zA-Z0-9._#:/-]");
  }
  const sets = directive.Dimensions;
  if (!Array.isArray(sets)) {
    problems.push("Dimensions must be an array of dimension sets");
  } else {
    for (const set of sets as unknown[]) {
      if (!Array.isArray(set) || !set.every((key) => typeof key === "string")) {
        problems.push("each dimension set must be an array of strings");
        continue;
      }
      if (set.length > EMF_LIMITS.dimensionsPerSet) problems.push(`a dimension set has more than ${EMF_LIMITS.dimensionsPerSet} keys`);
      for (const key of set as string[]) {
        const value = root[key];
        if (typeof value !== "string") problems.push(`dimension ${key} is not a top-level string member`);
        else if (!ASCII.test(value) || value.trim() === "" || value.length > 1024) {
          problems.push(`dimension ${key} must be 1-1024 printable ASCII characters, not only spaces`);
        }
      }
    }
  }
  const metrics = directive.Metrics;
  if (!Array.isArray(metrics)) return [...problems, "Metrics must be an array"];
  if (metrics.length > EMF_LIMITS.metricsPerDirective) problems.push(`more than ${EMF_LIMITS.metricsPerDirective} metrics`);
  for (const metric of metrics as unknown[]) problems.push(...metricProblems(root, metric));
  return problems;
}

function metricProblems(root: Record<string, unknown>, metric: unknown): string[] {
  if (!isObject(metric)) return ["a metric definition is not an object"];
  const problems = extraMembers(metric, ["Name", "Unit", "StorageResolution"]);
  const { Name: name, Unit: unit, StorageResolution: resolution } = metric;
  if (typeof name !== "string" || name.trim() === "" || name.length > 1024) return [...problems, "Name must be a string"];
  if (unit !== undefined && !(EMF_UNITS as readonly unknown[]).includes(unit)) problems.push(`${name}: unit ${String(unit)} is not allowed`);
  if (resolution !== undefined && resolution !== 1 && resolution !== 60) problems.push(`${name}: StorageResolution must be 1 or 60`);
  const value = root[name];
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  if (!values.every((v) => typeof v === "number" && Number.isFinite(v))) {
    problems.push(`${name} is not a top-level number or array of numbers`);
  } else if (values.length > EMF_LIMITS.valuesPerMetric) {
    problems.push(`${name} has more than ${EMF_LIMITS.valuesPerMetric} values`);
  }
  return problems;
}

/** "Unless otherwise noted, objects defined by this specification MUST NOT contain any additional members." */
function extraMembers(object: Record<string, unknown>, allowed: string[]): string[] {
  return Object.keys(object)
    .filter((key) => !allowed.includes(key))
    .map((key) => `unexpected member ${key}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
