import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNNER_DIR, startHarness, type Harness } from "./helpers/harness";
import { writeJavaPits, writeSubmission } from "./helpers/java-pits";

/**
 * Idiomatic solutions must keep working under the Java code policy and the runner's Maven settings (issue 14,
 * point 4; issue 16): each is graded through the real runner and scores exactly what its tests give.
 */

const RECURSION_INHERITANCE = {
  "Account.java": `package dev.dummy;
/** Inheritance and a custom exception hierarchy. */
public abstract class Account {
  protected long balance;
  public long getBalance() { return balance; }
  public abstract void withdraw(long amount);
  static final class InsufficientFunds extends IllegalArgumentException {
    InsufficientFunds(long missing) { super("missing " + missing); }
  }
}`,
  "BankAccount.java": `package dev.dummy;
public class BankAccount extends Account {
  /** Recursion, for no better reason than to use it: adds one unit at a time in halves. */
  private static long add(long a, long b) { return b == 0 ? a : b == 1 ? a + 1 : add(add(a, b / 2), b - b / 2); }
  public void deposit(long amount) { balance = add(balance, amount); }
  @Override public void withdraw(long amount) {
    try {
      if (amount > balance) throw new InsufficientFunds(amount - balance);
      balance -= amount;
    } finally {
      assert balance >= 0 : "never negative";
    }
  }
}`,
};

const COLLECTIONS_STREAMS = {
  "BankAccount.java": `package dev.dummy;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;
public class BankAccount {
  private final List<Long> movements = new ArrayList<>();
  private final Map<String, LongAdderLike> byKind = new TreeMap<>();
  interface LongAdderLike { long get(); }
  private final Predicate<Long> positive = v -> v > 0;
  public void deposit(long amount) { movements.add(amount); byKind.put("in", () -> movements.stream().filter(positive).mapToLong(Long::longValue).sum()); }
  public void withdraw(long amount) {
    Supplier<IllegalArgumentException> refuse = () -> new IllegalArgumentException("only " + getBalance());
    Optional.of(amount).filter(a -> a <= getBalance()).orElseThrow(refuse);
    movements.add(-amount);
  }
  public long getBalance() {
    return movements.stream().collect(Collectors.summingLong(Long::longValue)) + IntStream.range(0, 3).map(i -> 0).sum();
  }
}`,
};

const RECORDS_FORMAT_EQUALS = {
  "BankAccount.java": `package dev.dummy;
import java.util.*;
public class BankAccount {
  enum Kind { DEPOSIT, WITHDRAWAL }
  record Movement(Kind kind, long amount) {
    long signed() { return switch (kind) { case DEPOSIT -> amount; case WITHDRAWAL -> -amount; }; }
  }
  private final Deque<Movement> log = new ArrayDeque<>();
  public void deposit(long amount) { log.push(new Movement(Kind.DEPOSIT, amount)); }
  public void withdraw(long amount) {
    if (amount > getBalance()) throw new IllegalArgumentException(String.format("cannot withdraw %d from %d", amount, getBalance()));
    log.push(new Movement(Kind.WITHDRAWAL, amount));
  }
  public long getBalance() { long sum = 0; for (Movement m : log) sum += m.signed(); return sum; }
  @Override public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof BankAccount other) || o.getClass() != getClass()) return false;
    return getBalance() == other.getBalance();
  }
  @Override public int hashCode() { return Objects.hash(getBalance()); }
  @Override public String toString() { return "BankAccount[" + getBalance() + "] " + log; }
}`,
};

const RESOURCE = {
  "BankAccount.java": `package dev.dummy;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
/** Reads the overdraft limit from a resource file the exercise provides. */
public class BankAccount {
  private static final long OVERDRAFT = load();
  private long balance;
  private static long load() {
    try (InputStream in = BankAccount.class.getResourceAsStream("/bank.properties");
         Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      Properties p = new Properties();
      p.load(r);
      return Long.parseLong(p.getProperty("overdraft"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
  public void deposit(long amount) { balance += amount; }
  public void withdraw(long amount) { if (amount > balance + OVERDRAFT) throw new IllegalArgumentException(); balance -= amount; }
  public long getBalance() { return balance; }
}`,
};

const THREADS = {
  "BankAccount.java": `package dev.dummy;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicLong;
/** Concurrency, where the exercise allows it: deposits go through a thread pool. */
public class BankAccount {
  private final AtomicLong balance = new AtomicLong();
  public void deposit(long amount) {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      pool.submit(() -> balance.addAndGet(amount)).get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdown();
    }
  }
  public synchronized void withdraw(long amount) {
    if (amount > balance.get()) throw new IllegalArgumentException("insufficient");
    balance.addAndGet(-amount);
  }
  public long getBalance() { return balance.get(); }
}`,
};

const CASES: [string, string, Record<string, string>, number][] = [
  ["java-default", "recursion + inheritance + exceptions", RECURSION_INHERITANCE, 100],
  ["java-default", "collections + streams + lambdas", COLLECTIONS_STREAMS, 100],
  ["java-default", "records + enum switch + String.format + equals/hashCode", RECORDS_FORMAT_EQUALS, 100],
  ["java-resource", "reads a resource file of the exercise", RESOURCE, 100],
  ["java-threads", "threads, allowed by the PIT", THREADS, 100],
  ["java-default", "threads without the PIT's allow entry are refused", THREADS, -1],
  // The shipped plain-pom PIT (pits/java-maven-plain-dev) and its samples.
  ["java-maven-plain-dev", "plain pom: the passing sample", {}, 100],
  ["java-maven-plain-dev", "plain pom: the partial sample", {}, 33.33],
];

let h: Harness;
let scratch: string;
let pits: Awaited<ReturnType<typeof writeJavaPits>>;
const rows = new Map<string, Awaited<ReturnType<Harness["api"]["waitForFinal"]>>>();

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "legit-java-"));
  pits = await writeJavaPits([
    { pitId: "java-default" },
    { pitId: "java-maven-plain-dev", shipped: "java-maven-plain-dev" },
    { pitId: "java-resource", files: { "src/main/resources/bank.properties": "overdraft=0\n" } },
    { pitId: "java-threads", codePolicy: { allow: ["java.util.concurrent.ExecutorService", "java.util.concurrent.Executors"] } },
  ]);
  const sample = (name: string) => readFile(path.join(RUNNER_DIR, "samples", "java-maven-plain-dev", name, "src", "main", "java", "dev", "dummy", "BankAccount.java"), "utf8");
  h = await startHarness();
  h.startRunner({ RUNNER_PITS_DIR: pits.dir, RUNNER_CONCURRENCY: "2" });
  const submitted = await Promise.all(
    CASES.map(async ([pit, name, files, score], i) => {
      const sources = Object.keys(files).length > 0 ? files : { "BankAccount.java": await sample(score === 100 ? "passing" : "partial") };
      const folder = await writeSubmission(scratch, `case-${i}`, sources);
      return { key: `${pit}/${name}`, ...(await h.api.submit({ pitId: pit, source: folder })) };
    }),
  );
  await Promise.all(submitted.map(async ({ key, submissionId }) => rows.set(key, await h.api.waitForFinal(submissionId, 200_000))));
}, 240_000);
afterAll(async () => {
  await h?.stop();
  await pits?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe.each(CASES)("%s: %s", (pit, name, _files, score) => {
  it(score < 0 ? "is refused, naming the thread pool" : `scores exactly ${score}`, () => {
    const row = rows.get(`${pit}/${name}`);
    const feedback = row?.feedback as { outcome: string; message: string };
    if (score < 0) {
      expect(row?.status).toBe("ERROR");
      expect(feedback.message).toContain("BankAccount.java uses Executors.newFixedThreadPool");
    } else {
      expect({ status: row?.status, score: Number(row?.score), message: feedback.message }).toMatchObject({ status: "DONE", score });
    }
  });
});

describe("the log a Maven run leaves", () => {
  it("carries no ANSI colour codes", async () => {
    const row = rows.get("java-maven-plain-dev/plain pom: the partial sample");
    const log = await h.readLog(row?.logsS3Key as string);
    expect(log).toContain("BankAccountTest");
    expect(log.includes("\u001b[")).toBe(false);
  });
});
