package grader;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Tests run inside Maven's JVM (forkCount=0), so a System.exit in student code would end Maven
 * with the student's exit code. While a test plan runs, a shutdown hook turns any exit into a
 * distinct failing status, so the grader never mistakes it for a clean run.
 */
public class ExitGuard implements TestExecutionListener {
  private static volatile boolean running;
  private static final Thread HOOK = new Thread(() -> {
    if (running) {
      System.out.println("GRADER: the code under test called System.exit; remaining tests did not run.");
      System.out.flush();
      Runtime.getRuntime().halt(86);
    }
  });

  @Override
  public void testPlanExecutionStarted(TestPlan plan) {
    running = true;
    try { Runtime.getRuntime().addShutdownHook(HOOK); } catch (IllegalArgumentException alreadyAdded) { }
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    running = false;
  }
}
