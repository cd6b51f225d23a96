#!/bin/sh
# Builds the runner-owned Java guard: runner-guard.jar (package runnerguard) from src/ and resources/, then a
# class-data-sharing archive of Maven's JVM (maven.jsa) that the runner passes to Maven when it exists.
# Usage: build.sh [output folder]  (default: this folder). Needs a JDK and Debian's junit5 jars.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
cp_jars=/usr/share/java/junit-platform-launcher.jar:/usr/share/java/junit-platform-engine.jar:/usr/share/java/junit-platform-commons.jar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/classes" "$out"
javac --release 11 -nowarn -cp "$cp_jars" -d "$work/classes" "$here"/src/runnerguard/*.java
cp -r "$here/resources/." "$work/classes/"
jar --create --file "$work/runner-guard.jar" -C "$work/classes" .
install -m 0644 "$work/runner-guard.jar" "$out/runner-guard.jar"
if [ "${RUNNER_GUARD_SKIP_CDS:-}" != 1 ] && command -v mvn >/dev/null 2>&1; then
  "$here/build-cds.sh" "$out" || echo "build.sh: no CDS archive (Maven runs without it)" >&2
fi
