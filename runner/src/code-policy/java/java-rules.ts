import type { ClassInfo } from "./class-file";

/**
 * The APIs a Java solution may not use by default: in an exercise's solution they only serve to end or outlive the
 * test JVM, reach into the tests or the grader, or leave traces the grade could be read from. Names are dotted,
 * nested classes with `$` (`java.lang.invoke.MethodHandles$Lookup`); an entry covers every API it is a prefix of
 * at a `.`, `/` or `$` boundary (src/code-policy/policy.ts). A PIT re-enables one with `codePolicy.allow`
 * (`java.lang.Thread`) and adds its own with `codePolicy.deny`. Documented in runner/PIT-CONFIGS.md.
 */
export const JAVA_DENY: readonly string[] = [
  // Ending the JVM, or running code after the tests: a System.exit cuts the tests short, a hook rewrites reports.
  "java.lang.System.exit",
  "java.lang.Runtime.exit",
  "java.lang.Runtime.halt",
  "java.lang.Runtime.addShutdownHook",
  "java.lang.Runtime.removeShutdownHook",
  // Native code and other processes.
  "java.lang.System.load",
  "java.lang.System.loadLibrary",
  "java.lang.Runtime.load",
  "java.lang.Runtime.loadLibrary",
  "java.lang.Runtime.exec",
  "java.lang.ProcessBuilder",
  "java.lang.Process",
  "java.lang.ProcessHandle",
  // The JVM's global state the tests and the grader rely on.
  "java.lang.System.setOut",
  "java.lang.System.setErr",
  "java.lang.System.setIn",
  "java.lang.System.setSecurityManager",
  "java.lang.System.setProperty",
  "java.lang.System.setProperties",
  "java.lang.System.clearProperty",
  "java.lang.System.inheritedChannel",
  // Reflection, method handles and class loading: the way to the grader's and the tests' private state.
  "java.lang.reflect",
  "java.lang.invoke",
  "java.lang.ClassLoader",
  "java.lang.Module",
  "java.lang.ModuleLayer",
  "java.lang.StackWalker",
  "java.lang.instrument",
  "java.lang.ref",
  "java.lang.management",
  "java.beans",
  "java.util.ServiceLoader",
  "javax.tools",
  "javax.script",
  "javax.management",
  "java.rmi",
  ...["forName", "getClassLoader", "getModule", "getProtectionDomain", "newInstance", "getEnclosingMethod", "getEnclosingConstructor", "getRecordComponents"].map(
    (m) => `java.lang.Class.${m}`,
  ),
  ...["Method", "Field", "Constructor", "Class"].flatMap((kind) => [
    `java.lang.Class.get${kind}`,
    `java.lang.Class.get${kind}s`,
    `java.lang.Class.getDeclared${kind}`,
    `java.lang.Class.getDeclared${kind}s`,
  ]),
  // Internal and unsupported packages (Unsafe among them).
  "sun",
  "jdk",
  "com.sun",
  // Threads: a thread outlives the test that started it. Exercises about concurrency allow these.
  "java.lang.Thread",
  "java.lang.ThreadGroup",
  "java.lang.InheritableThreadLocal",
  "java.util.Timer",
  "java.util.TimerTask",
  ...["Executors", "ExecutorService", "ThreadPoolExecutor", "ScheduledExecutorService", "ScheduledThreadPoolExecutor", "ForkJoinPool", "ForkJoinTask", "ForkJoinWorkerThread", "RecursiveTask", "RecursiveAction", "CompletableFuture", "ThreadFactory"].map(
    (c) => `java.util.concurrent.${c}`,
  ),
  // Writing files: the reports, the class files, the test sources are all files. Reading stays allowed.
  "java.io.FileOutputStream",
  "java.io.FileWriter",
  "java.io.RandomAccessFile",
  "java.io.PrintWriter.<init>(java.io.File)",
  "java.io.PrintWriter.<init>(java.lang.String)",
  "java.io.PrintStream.<init>(java.io.File)",
  "java.io.PrintStream.<init>(java.lang.String)",
  "java.util.Formatter.<init>(java.io.File)",
  "java.util.Formatter.<init>(java.lang.String)",
  ...["delete", "deleteOnExit", "renameTo", "createNewFile", "createTempFile", "mkdir", "mkdirs", "setWritable", "setReadable", "setExecutable", "setLastModified", "setReadOnly"].map((m) => `java.io.File.${m}`),
  ...["write", "writeString", "newOutputStream", "newBufferedWriter", "newByteChannel", "delete", "deleteIfExists", "move", "copy", "createFile", "createDirectory", "createDirectories", "createTempFile", "createTempDirectory", "createLink", "createSymbolicLink", "setAttribute", "setPosixFilePermissions", "setOwner", "setLastModifiedTime", "getFileAttributeView"].map(
    (m) => `java.nio.file.Files.${m}`,
  ),
  "java.nio.file.spi",
  "java.nio.channels",
  "java.util.logging.FileHandler",
  // The network.
  "java.net",
  "javax.net",
  // The test frameworks and the grader, which solution code has no business touching (or shadowing).
  "org.junit",
  "org.opentest4j",
  "org.apiguardian",
  "org.hamcrest",
  "org.assertj",
  "org.mockito",
  "runnerguard",
  "org.apache.maven",
];

/**
 * Owners javac itself calls from the bytecode of lambdas, method references, string concatenation, records and
 * pattern switches (invokedynamic bootstrap methods): their presence says nothing about the solution.
 */
const BOOTSTRAP_OWNERS = new Set([
  "java/lang/invoke/LambdaMetafactory",
  "java/lang/invoke/StringConcatFactory",
  "java/lang/runtime/ObjectMethods",
  "java/lang/runtime/SwitchBootstraps",
]);

/** Constructors whose first parameter decides whether they open a file for writing. */
const FILE_OPENING_CONSTRUCTORS = new Set(["java/io/PrintWriter", "java/io/PrintStream", "java/util/Formatter"]);

const dotted = (internal: string): string => internal.replaceAll("/", ".");

function constructorApi(owner: string, descriptor: string): string {
  const first = /^\(L([^;]+);/.exec(descriptor)?.[1];
  if (FILE_OPENING_CONSTRUCTORS.has(owner) && (first === "java/io/File" || first === "java/lang/String")) {
    return `${dotted(owner)}.<init>(${dotted(first)})`;
  }
  return `${dotted(owner)}.<init>`;
}

/**
 * Every API a class uses, as the policy names them: its own name (a class in `org.junit` shadows the framework),
 * its super class and interfaces, each class it references, each field and method it references. Classes that
 * appear only in the InnerClasses attribute (`MethodHandles$Lookup` for any lambda) are not uses.
 */
export function apiUses(info: ClassInfo): Set<string> {
  const uses = new Set<string>([dotted(info.name)]);
  if (info.superName) uses.add(dotted(info.superName));
  for (const i of info.interfaces) uses.add(dotted(i));
  const innerOnly = new Set(info.innerClassEntries);
  for (const c of info.classRefs) {
    if (!innerOnly.has(c) && !BOOTSTRAP_OWNERS.has(c)) uses.add(dotted(c));
  }
  for (const m of info.memberRefs) {
    if (BOOTSTRAP_OWNERS.has(m.owner)) continue;
    uses.add(m.name === "<init>" ? constructorApi(m.owner, m.descriptor) : `${dotted(m.owner)}.${m.name}`);
  }
  return uses;
}

/**
 * The API as a student recognises it: `java.lang.Runtime.addShutdownHook` -> `Runtime.addShutdownHook`,
 * `java.io.PrintWriter.<init>(java.lang.String)` -> `new PrintWriter(String)`, a class -> its simple name.
 */
export function shortApi(api: string): string {
  const ctor = /^(.*)\.<init>(?:\((.*)\))?$/.exec(api);
  if (ctor) {
    const param = ctor[2] ? `(${ctor[2].split(".").at(-1)})` : "";
    return `new ${simpleName(ctor[1] ?? "")}${param}`;
  }
  const parts = api.split(".");
  const memberAt = parts.findIndex((p) => /^[A-Z]/.test(p));
  if (memberAt < 0) return api;
  return parts.slice(memberAt).join(".").replaceAll("$", ".");
}

function simpleName(className: string): string {
  return (className.split(".").at(-1) ?? className).replaceAll("$", ".");
}

/** One line per API: a class is not listed again when one of its members or constructors is (`new Thread`, not also `Thread`). */
export function collapse(shortApis: Iterable<string>): string[] {
  const all = [...new Set(shortApis)];
  return all.filter((api) => !all.some((other) => other !== api && (other.startsWith(`${api}.`) || other.startsWith(`new ${api}`))));
}
