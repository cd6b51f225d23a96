#!/bin/sh
# Trains a class-data-sharing archive of Maven's JVM on a one-test JUnit 5 project, run the way the runner runs
# Maven (offline, Surefire in Maven's JVM, the guard jar on the test classpath, the runner's JVM flags), and writes
# it to <folder>/maven.jsa. The archive only fits the JDK and Maven it was trained with: build it where it is used
# (the image build, CI, the tests' global setup). A JVM that finds it does not fit ignores it (-Xshare:auto).
set -eu
out=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home/.m2" "$work/p/.mvn" "$work/p/src/main/java/t" "$work/p/src/test/java/t"
cat > "$work/home/.m2/settings.xml" <<XML
<settings><localRepository>/usr/share/maven-repo</localRepository><offline>true</offline></settings>
XML
cat > "$work/p/pom.xml" <<XML
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>t</groupId><artifactId>t</artifactId><version>1</version>
  <properties><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding><maven.compiler.release>17</maven.compiler.release></properties>
  <dependencies><dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>5.9.2</version><scope>test</scope></dependency></dependencies>
  <build><plugins>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.0</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.10.1</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>2.22.3</version></plugin>
  </plugins></build></project>
XML
echo 'package t; public class A { public int one() { return 1; } }' > "$work/p/src/main/java/t/A.java"
printf '%s\n' 'package t; import org.junit.jupiter.api.Test; import static org.junit.jupiter.api.Assertions.assertEquals;' \
  'class ATest { @Test void one() { assertEquals(1, new A().one()); } }' > "$work/p/src/test/java/t/ATest.java"
printf '%s\n' -B -Dstyle.color=never -DforkCount=0 "-Dmaven.test.additionalClasspath=$out/runner-guard.jar" > "$work/p/.mvn/maven.config"
rm -f "$out/maven.jsa.tmp"
(cd "$work/p" && env -i PATH=/usr/bin:/bin HOME="$work/home" \
  MAVEN_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ArchiveClassesAtExit=$out/maven.jsa.tmp -Xlog:cds=off -Xlog:cds+dynamic=off -Duser.home=$work/home" \
  mvn -q test >"$work/log" 2>&1) || { cat "$work/log" >&2; exit 1; }
chmod 0644 "$out/maven.jsa.tmp"
mv "$out/maven.jsa.tmp" "$out/maven.jsa"
