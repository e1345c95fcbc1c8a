package dev.relay.app.runtime;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns SIGTERM/SIGINT into a graceful stop with exit code 0. The JVM runs shutdown hooks on those
 * signals and would then exit 143/130; after a stop that completed, the hook halts with 0 instead,
 * which is what orchestrators expect from a clean shutdown. An exit the program asks for itself
 * ({@link #exit}) keeps its own code.
 */
public final class Shutdown {
  private static final AtomicBoolean exiting = new AtomicBoolean();

  private Shutdown() {}

  public static void onTerminate(Runnable gracefulStop) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (exiting.get()) {
        return;
      }
      gracefulStop.run();
      System.out.flush();
      System.err.flush();
      Runtime.getRuntime().halt(0);
    }, "relay-shutdown"));
  }

  public static void exit(int code) {
    exiting.set(true);
    System.exit(code);
  }
}
