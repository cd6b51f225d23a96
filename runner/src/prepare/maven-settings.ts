import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

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

/**
 * Writes `$HOME/.m2/settings.xml` so the PIT's plain `mvn -q test` runs offline. Java takes
 * `user.home` from the password database, not from $HOME, so MAVEN_OPTS points it at the run's
 * home; otherwise Maven would read (and write) the real user's ~/.m2.
 */
export async function writeMavenSettings(home: string): Promise<{ userHomeOpt: string }> {
  await mkdir(path.join(home, ".m2"), { recursive: true });
  await writeFile(path.join(home, ".m2", "settings.xml"), SETTINGS);
  return { userHomeOpt: `-Duser.home=${home}` };
}
