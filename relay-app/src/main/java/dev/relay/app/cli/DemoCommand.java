package dev.relay.app.cli;

import dev.relay.app.config.AdminConfig;
import dev.relay.app.config.LoggingConfig;
import dev.relay.app.demo.Demo;
import dev.relay.app.logging.Logging;
import dev.relay.app.runtime.Shutdown;
import dev.relay.app.runtime.WebhookTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relay demo}: needs nothing configured and nothing installed but a JDK. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run a self-contained demo: an embedded Postgres 17, a local receiver that verifies signatures, "
        + "the relay, and a publisher of sample events. Prints the metrics and admin URLs.",
        "Nothing leaves this machine; everything is removed on exit. Needs relay-demo.jar (relay.jar, the "
            + "production artifact, has no embedded Postgres)."})
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "" + AdminConfig.DEFAULT_PORT,
      description = "Port for /metrics, /health and /admin (default ${DEFAULT-VALUE}; a free one if taken).")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1",
      description = "Address for /metrics, /health and /admin (default ${DEFAULT-VALUE}; 0.0.0.0 in a container).")
  String bind = "127.0.0.1";

  @Option(names = "--rate", defaultValue = "3", description = "Sample events per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", paramLabel = "DURATION",
      description = "Stop by itself after this long, e.g. PT30S (default: run until Ctrl-C).")
  @Nullable Duration duration;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!embeddedPostgresPresent()) {
      spec.commandLine().getErr().println("relay: the demo needs an embedded Postgres, which relay.jar (the production"
          + " artifact) leaves out: run `java -jar relay-demo.jar demo` (built beside relay.jar: relay-app/target/).");
      return ExitCodes.FAILURE;
    }
    Logging.configure(new LoggingConfig(LoggingConfig.Format.PLAIN, "warn"));
    Demo demo = Demo.start(bind, port, rate, System.out, WebhookTransport::create);
    CountDownLatch stopped = new CountDownLatch(1);
    Shutdown.onTerminate(() -> {
      try {
        demo.close();
        return true;
      } catch (RuntimeException e) {
        System.err.println("relay: demo did not stop cleanly: " + e.getMessage());
        return false;
      } finally {
        stopped.countDown();
      }
    });
    Duration d = duration;
    if (d == null) {
      stopped.await();
    } else if (!stopped.await(d.toMillis(), TimeUnit.MILLISECONDS)) {
      demo.close();
    }
    return ExitCodes.OK;
  }

  /** relay-demo.jar has the embedded Postgres; the slim relay.jar does not (checked before Demo is loaded). */
  private static boolean embeddedPostgresPresent() {
    try {
      Class.forName("io.zonky.test.db.postgres.embedded.EmbeddedPostgres", false, DemoCommand.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
