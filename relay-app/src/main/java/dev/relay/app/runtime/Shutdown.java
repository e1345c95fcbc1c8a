package dev.relay.app.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Turns SIGTERM/SIGINT into a graceful stop with exit code 0. The JVM runs shutdown hooks on those
 * signals and would then exit 143/130; after a stop that completed, the hook halts with 0 instead
 * (1 if the stop failed), which is what orchestrators expect from a clean shutdown. An exit the
 * program asks for itself ({@link #exit}) keeps its own code.
 */
public final class Shutdown {
  private static final AtomicBoolean exiting = new AtomicBoolean();

  private Shutdown() {}

  /** {@code gracefulStop} returns whether the stop completed cleanly. */
  public static void onTerminate(BooleanSupplier gracefulStop) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (exiting.get()) {
        return;
      }
      boolean clean = gracefulStop.getAsBoolean();
      System.out.flush();
      System.err.flush();
      Runtime.getRuntime().halt(clean ? 0 : 1);
    }, "relay-shutdown"));
  }

  public static void exit(int code) {
    exiting.set(true);
    System.exit(code);
  }
}
