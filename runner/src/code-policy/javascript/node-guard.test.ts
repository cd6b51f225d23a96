import { describe, expect, it } from "vitest";
import { reportFolders } from "./node-guard";

describe("reportFolders", () => {
  it("takes each report glob's literal leading folders, absolute, once each", () => {
    expect(reportFolders("/w", ["reports/*.xml", "reports/junit.xml"])).toEqual(["/w/reports"]);
    expect(reportFolders("/w", ["target/surefire-reports/TEST-*.xml", "build/test-results/**/TEST-*.xml"])).toEqual(["/w/target/surefire-reports", "/w/build/test-results"]);
    // Nothing literal before the file (or a wildcard first): the workspace itself.
    expect(reportFolders("/w", ["junit.xml", "**/TEST-*.xml", "{a,b}/x.xml"])).toEqual(["/w"]);
  });
});
