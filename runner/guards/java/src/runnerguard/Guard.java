package runnerguard;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * The runner's own witness inside the test JVM; it is on the test classpath from the runner's jar, never from a PIT
 * or a submission. At the first launcher session (before test discovery, so before any student class is initialised)
 * it takes the run's key and fingerprints the compiled classes; then it reports the test plan and every test's
 * result as it finishes, each record signed with that key (see Records). The runner grades from these records
 * instead of the XML reports, which code in this JVM could rewrite (a shutdown hook, a thread); a test in the plan
 * with no result record did not finish (System.exit, Runtime.halt) and counts as an error.
 */
public final class Guard implements LauncherSessionListener, TestExecutionListener {
  /** Test unique id -> a finished result was reported (de-duplicates the plan of several launcher requests). */
  private static final Map<String, Boolean> reported = new ConcurrentHashMap<>();
  private static final Map<String, Boolean> planned = new ConcurrentHashMap<>();
  private static volatile TestPlan current;
  private static final int PLAN_CHUNK = 8;
  private static final int MAX_MESSAGE = 2000;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    Records.open();
  }

  @Override
  public void testPlanExecutionStarted(TestPlan plan) {
    // A JVM without a key (a second fork, a run not started by the runner) reports nothing.
    if (!Records.active()) return;
    current = plan;
    // In records of a few tests each: one short write per line, which another writer cannot split on a pipe.
    Json tests = Json.array();
    int inRecord = 0;
    for (TestIdentifier root : plan.getRoots()) {
      for (TestIdentifier id : plan.getDescendants(root)) {
        if (!id.isTest() || planned.putIfAbsent(id.getUniqueId(), Boolean.TRUE) != null) continue;
        tests.add(describe(plan, id));
        if (++inRecord == PLAN_CHUNK) {
          Records.emit(Json.object().put("type", "plan").put("tests", tests));
          tests = Json.array();
          inRecord = 0;
        }
      }
    }
    if (inRecord > 0) Records.emit(Json.object().put("type", "plan").put("tests", tests));
  }

  @Override
  public void dynamicTestRegistered(TestIdentifier id) {
    if (!Records.active() || !id.isTest()) return;
    if (planned.putIfAbsent(id.getUniqueId(), Boolean.TRUE) == null) {
      Records.emit(Json.object().put("type", "plan").put("tests", Json.array().add(describe(current, id))));
    }
  }

  @Override
  public void executionSkipped(TestIdentifier id, String reason) {
    if (!Records.active()) return;
    // A skipped container never reports its children one by one; Surefire reports them as skipped.
    for (TestIdentifier test : testsOf(id)) report(test, "skipped", reason == null ? "skipped" : reason);
  }

  @Override
  public void executionFinished(TestIdentifier id, TestExecutionResult result) {
    if (!Records.active()) return;
    String status;
    switch (result.getStatus()) {
      case SUCCESSFUL: status = "passed"; break;
      // A failed assumption: Surefire reports it as skipped.
      case ABORTED: status = "skipped"; break;
      default: status = result.getThrowable().map(t -> t instanceof AssertionError ? "failed" : "error").orElse("failed");
    }
    String message = result.getThrowable().map(Guard::messageOf).orElse(null);
    // A container that failed (a @BeforeAll that threw) takes its tests that never ran with it.
    if (id.isTest() || result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
      for (TestIdentifier test : testsOf(id)) report(test, status, message);
    }
  }

  /** The test itself, or the tests below a container in the running plan. */
  private static java.util.List<TestIdentifier> testsOf(TestIdentifier id) {
    java.util.List<TestIdentifier> tests = new java.util.ArrayList<>();
    if (id.isTest()) tests.add(id);
    TestPlan plan = current;
    if (plan != null && !id.isTest()) {
      for (TestIdentifier d : plan.getDescendants(id)) if (d.isTest()) tests.add(d);
    }
    return tests;
  }

  private static void report(TestIdentifier id, String status, String message) {
    if (!id.isTest()) return;
    if (reported.putIfAbsent(id.getUniqueId(), Boolean.TRUE) != null) return;
    Json record = Json.object().put("type", "result").put("id", id.getUniqueId()).put("status", status);
    if (message != null) record.put("message", message);
    Records.emit(record);
  }

  /** The message Surefire would show; the throwable is the test's (possibly the student's) object, so it is guarded. */
  private static String messageOf(Throwable t) {
    try {
      String message = t.getMessage();
      if (message == null) return t.getClass().getName();
      // The runner keeps 1000 characters of a message; a longer one only makes the record longer.
      return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    } catch (RuntimeException | LinkageError e) {
      return t.getClass().getName();
    }
  }

  /** Named as Surefire 2.22.3's XML names them (checked by test/pit-scaffold-maven.test.ts), so test ids stay the same. */
  private static Json describe(TestPlan plan, TestIdentifier id) {
    String suite = "unknown";
    Optional<org.junit.platform.engine.TestSource> source = id.getSource();
    if (source.isPresent() && source.get() instanceof MethodSource) {
      suite = ((MethodSource) source.get()).getClassName();
    } else if (plan != null) {
      for (Optional<TestIdentifier> at = plan.getParent(id); at.isPresent(); at = plan.getParent(at.get())) {
        Optional<org.junit.platform.engine.TestSource> s = at.get().getSource();
        if (s.isPresent() && s.get() instanceof ClassSource) {
          suite = ((ClassSource) s.get()).getClassName();
          break;
        }
      }
    }
    // Surefire drops an empty "()" and writes parameter lists in braces: param(int)[1] -> param{int}[1].
    String name = id.getLegacyReportingName().replace("()", "").replace('(', '{').replace(')', '}');
    return Json.object().put("id", id.getUniqueId()).put("suite", suite).put("name", name);
  }
}
