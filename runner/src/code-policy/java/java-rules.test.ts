import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolicy } from "../policy";
import { ClassFileError, parseClassFile } from "./class-file";
import { apiUses, collapse, JAVA_DENY, shortApi } from "./java-rules";

/** Sources compiled by the real javac (release 17, as the PITs build), one class each. */
const SOURCES: Record<string, string> = {
  Legit: `package p;
import java.util.*; import java.util.stream.*;
public class Legit {
  record Point(int x, int y) {}
  enum Color { RED, GREEN }
  interface Shape { double area(); }
  static final class Square implements Shape { public double area() { return 4; } }
  private int secret = 1;
  class Inner { int peek() { return secret; } }
  static long fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }
  public String all(List<String> names, Color c) {
    assert names != null;
    Runnable r = () -> System.out.println("hi " + names.size());
    r.run();
    String joined = names.stream().filter(n -> !n.isEmpty()).map(String::toUpperCase).sorted().collect(Collectors.joining(","));
    String kind = switch (c) { case RED -> "warm"; case GREEN -> "cold"; };
    Map<String, Integer> counts = new HashMap<>();
    try { Integer.parseInt("x"); } catch (NumberFormatException e) { counts.merge("bad", 1, Integer::sum); }
    Object o = new Point(1, 2);
    if (o instanceof Point p && p.x() == 1) kind += String.format("%d-%s", fact(5), p);
    return joined + kind + getClass().getSimpleName() + new Inner().peek() + Optional.ofNullable(counts.get("bad")).orElse(0);
  }
  @Override public boolean equals(Object other) { return other instanceof Legit && other.getClass() == getClass(); }
  @Override public int hashCode() { return Objects.hash(secret); }
  public String resource() throws java.io.IOException {
    try (var in = Legit.class.getResourceAsStream("/data.txt")) { return new String(in.readAllBytes()); }
  }
}`,
  Hook: `package p; public class Hook { static { Runtime.getRuntime().addShutdownHook(new Thread(() -> {})); } }`,
  Reflect: `package p; public class Reflect { Object f() throws Exception { return Class.forName("x").getDeclaredField("y").get(null); } }`,
  Exits: `package p; import java.util.function.IntConsumer; public class Exits { IntConsumer c = System::exit; void h() { Runtime.getRuntime().halt(0); } }`,
  Writes: `package p; import java.io.*; public class Writes { void w() throws IOException { new PrintWriter("r.xml").close(); new FileWriter("x").close(); java.nio.file.Files.writeString(java.nio.file.Path.of("a"), "b"); new PrintWriter(new StringWriter()).close(); } }`,
  Worker: `package p; public class Worker extends Thread { public void run() {} }`,
  Assertions: `package org.junit.jupiter.api; public class Assertions { public static void assertEquals(Object a, Object b) {} }`,
  Handles: `package p; import java.lang.invoke.*; public class Handles { Object h() throws Exception { return MethodHandles.lookup().findStatic(System.class, "gc", MethodType.methodType(void.class)); } }`,
};

let dir: string;
const classes = new Map<string, Buffer>();
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "java-rules-"));
  const files = Object.entries(SOURCES).map(([name, text]) => {
    const pkg = /^package ([\w.]+);/.exec(text)?.[1] ?? "";
    const file = path.join(dir, "src", ...pkg.split("."), `${name}.java`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  });
  execFileSync("javac", ["--release", "17", "-nowarn", "-d", path.join(dir, "out"), ...files], { stdio: "pipe" });
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else classes.set(path.relative(path.join(dir, "out"), p), readFileSync(p));
    }
  };
  walk(path.join(dir, "out"));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policy = createPolicy(JAVA_DENY);
/** Denied APIs (short form) over every class compiled from one source (nested and synthetic classes included). */
function denied(source: string, p = policy): string[] {
  const out = new Set<string>();
  for (const bytes of classes.values()) {
    const info = parseClassFile(bytes);
    if (info.sourceFile !== `${source}.java`) continue;
    for (const api of apiUses(info)) if (p.deniedBy(api)) out.add(shortApi(api));
  }
  expect(out.size + [...classes.keys()].length).toBeGreaterThan(0);
  return collapse(out).sort();
}

describe("parseClassFile", () => {
  it("reads the name, source file, super class and the references javac wrote", () => {
    const info = parseClassFile(classes.get("p/Worker.class") as Buffer);
    expect(info).toMatchObject({ name: "p/Worker", superName: "java/lang/Thread", sourceFile: "Worker.java", interfaces: [] });
    expect(info.memberRefs).toContainEqual({ kind: "method", owner: "java/lang/Thread", name: "<init>", descriptor: "()V" });
  });

  it("refuses what is not a well-formed class file", () => {
    const good = classes.get("p/Hook.class") as Buffer;
    expect(() => parseClassFile(Buffer.from("not a class"))).toThrow(ClassFileError);
    expect(() => parseClassFile(good.subarray(0, good.length - 9))).toThrow(ClassFileError);
  });
});

describe("the Java deny list", () => {
  it("lets idiomatic code through: records, enums, switch, lambdas, streams, formatting, inner classes, resources", () => {
    expect(denied("Legit")).toEqual([]);
  });

  it("names what tampers, in the short form a student recognises", () => {
    expect(denied("Hook")).toEqual(["Runtime.addShutdownHook", "new Thread"]);
    expect(denied("Reflect")).toEqual(["Class.forName", "Class.getDeclaredField", "Field.get"]);
    expect(denied("Exits")).toEqual(["Runtime.halt", "System.exit"]);
    expect(denied("Writes")).toEqual(["FileWriter.close", "Files.writeString", "new FileWriter", "new PrintWriter(String)"]);
    expect(denied("Worker")).toEqual(["new Thread"]);
    expect(denied("Assertions")).toEqual(["Assertions"]);
    expect(denied("Handles")).toContain("MethodHandles.lookup");
  });

  it("lets a PIT allow what its exercise is about, and deny more", () => {
    const threads = createPolicy(JAVA_DENY, { allow: ["java.lang.Thread"], deny: ["java.util.HashMap"] });
    expect(denied("Worker", threads)).toEqual([]);
    expect(denied("Legit", threads)).toEqual(["new HashMap"]);
  });

  it("shortens API names", () => {
    expect(shortApi("java.lang.Runtime.addShutdownHook")).toBe("Runtime.addShutdownHook");
    expect(shortApi("java.lang.invoke.MethodHandles$Lookup.findVirtual")).toBe("MethodHandles.Lookup.findVirtual");
    expect(shortApi("java.io.PrintWriter.<init>(java.io.File)")).toBe("new PrintWriter(File)");
    expect(shortApi("sun.misc.Unsafe")).toBe("Unsafe");
  });
});
