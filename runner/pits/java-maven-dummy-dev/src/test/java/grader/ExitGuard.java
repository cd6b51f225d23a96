package grader;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Part of the PIT template, not of the student's code. The tests run inside Maven's JVM (forkCount=0: Surefire
 * 2.22.3's forked JVM idles up to 10 s after the tests), so a System.exit in student code would end Maven with the
 * student's status, and Surefire would never write the report of the class that was running: its tests would
 * silently drop out of the grade. While a test plan runs, a shutdown hook writes those tests to
 * target/surefire-reports/TEST-grader.ExitGuard.xml (with their result if they finished, as skipped if they were
 * disabled or aborted, as errors if they never ran) and ends the JVM with status 86.
 */
public class ExitGuard implements TestExecutionListener {
  private static volatile TestPlan plan;
  private static final Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
  private static final Map<String, String> skipped = new ConcurrentHashMap<>();
  private static final Set<String> finishedClasses = ConcurrentHashMap.newKeySet();
  private static final Thread HOOK = new Thread(ExitGuard::onExit);

  @Override
  public void testPlanExecutionStarted(TestPlan started) {
    plan = started;
    try {
      Runtime.getRuntime().addShutdownHook(HOOK);
    } catch (IllegalArgumentException alreadyAdded) {
      // one hook per JVM is enough
    }
  }

  @Override
  public void executionFinished(TestIdentifier id, TestExecutionResult result) {
    if (id.isTest()) results.put(id.getUniqueId(), result);
    else if (isClass(id)) finishedClasses.add(id.getUniqueId());
  }

  @Override
  public void executionSkipped(TestIdentifier id, String reason) {
    if (id.isTest()) skipped.put(id.getUniqueId(), reason == null ? "skipped" : reason);
    // Surefire reports a skipped class as it does a finished one.
    else if (isClass(id)) finishedClasses.add(id.getUniqueId());
  }

  @Override
  public void testPlanExecutionFinished(TestPlan finished) {
    plan = null;
  }

  private static boolean isClass(TestIdentifier id) {
    return id.getSource().filter(ClassSource.class::isInstance).isPresent();
  }

  /** A class that finished or was skipped has its report from Surefire, nested classes' tests included. */
  private static boolean reportedBySurefire(TestPlan running, TestIdentifier id) {
    for (Optional<TestIdentifier> at = running.getParent(id); at.isPresent(); at = running.getParent(at.get())) {
      if (finishedClasses.contains(at.get().getUniqueId())) return true;
    }
    return false;
  }

  private static Optional<TestIdentifier> classOf(TestPlan running, TestIdentifier id) {
    for (Optional<TestIdentifier> at = running.getParent(id); at.isPresent(); at = running.getParent(at.get())) {
      if (isClass(at.get())) return at;
    }
    return Optional.empty();
  }

  private static void onExit() {
    TestPlan running = plan;
    if (running == null) return;
    System.out.println("GRADER: the code under test called System.exit; the tests that had not finished count as errors.");
    try {
      writeReport(running);
    } catch (IOException | RuntimeException e) {
      System.out.println("GRADER: could not write the report of the interrupted tests: " + e);
    }
    System.out.flush();
    Runtime.getRuntime().halt(86);
  }

  private static void writeReport(TestPlan running) throws IOException {
    List<String> cases = new ArrayList<>();
    int failures = 0;
    int errors = 0;
    int skips = 0;
    List<TestIdentifier> pending = new ArrayList<>();
    for (TestIdentifier root : running.getRoots()) {
      for (TestIdentifier id : running.getDescendants(root)) if (id.isTest()) pending.add(id);
    }
    for (TestIdentifier id : pending) {
      // Surefire wrote the report of every class that finished; only the others are missing.
      if (reportedBySurefire(running, id)) continue;
      Optional<TestIdentifier> owner = classOf(running, id);
      String className = owner.flatMap(TestIdentifier::getSource).map(s -> ((ClassSource) s).getClassName()).orElse("unknown");
      // Named as Surefire names them (method name without "()"), so the feedback reads the same.
      String name = id.getLegacyReportingName().replaceFirst("\\(\\)$", "");
      String open = "  <testcase classname=\"" + xml(className) + "\" name=\"" + xml(name) + "\">";
      TestExecutionResult result = results.get(id.getUniqueId());
      String skipReason = skipped.get(id.getUniqueId());
      if (skipReason != null) {
        skips++;
        cases.add(open + "<skipped message=\"" + xml(skipReason) + "\"/></testcase>");
      } else if (result == null) {
        errors++;
        cases.add(open + "<error type=\"grader.ExitGuard\" message=\"did not finish: the code under test called System.exit\"/></testcase>");
      } else if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
        cases.add(open + "</testcase>");
      } else if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
        // A failed assumption: Surefire reports it as skipped, and so does this report.
        skips++;
        String message = result.getThrowable().map(Throwable::getMessage).orElse("aborted");
        cases.add(open + "<skipped message=\"" + xml(message) + "\"/></testcase>");
      } else {
        failures++;
        String message = result.getThrowable().map(Throwable::toString).orElse("failed");
        cases.add(open + "<failure message=\"" + xml(message) + "\"/></testcase>");
      }
    }
    if (cases.isEmpty()) return;
    Path dir = Paths.get("target", "surefire-reports");
    Files.createDirectories(dir);
    try (Writer out = Files.newBufferedWriter(dir.resolve("TEST-grader.ExitGuard.xml"), StandardCharsets.UTF_8)) {
      out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
      out.write("<testsuite name=\"grader.ExitGuard\" tests=\"" + cases.size() + "\" failures=\"" + failures
          + "\" errors=\"" + errors + "\" skipped=\"" + skips + "\">\n");
      for (String c : cases) out.write(c + "\n");
      out.write("</testsuite>\n");
    }
  }

  private static String xml(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&': out.append("&amp;"); break;
        case '<': out.append("&lt;"); break;
        case '>': out.append("&gt;"); break;
        case '"': out.append("&quot;"); break;
        default: if (c >= 0x20 || c == '\t' || c == '\n') out.append(c);
      }
    }
    return out.toString();
  }
}
