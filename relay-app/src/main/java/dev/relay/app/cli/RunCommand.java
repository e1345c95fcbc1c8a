package dev.relay.app.cli;

import dev.relay.app.config.LoadedConfig;
import dev.relay.app.config.RelayConfig;
import dev.relay.app.logging.Logging;
import dev.relay.app.runtime.Relay;
import dev.relay.app.runtime.Shutdown;
import dev.relay.app.runtime.WebhookTransport;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code relay run}: the service. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run the relay: migrate (unless database.migrate is false), register its endpoints, deliver, and "
        + "serve /metrics, /health/live, /health/ready and /admin.",
        "SIGTERM or SIGINT stops claiming, lets in-flight deliveries finish within shutdown.grace-period, "
            + "releases the rest for immediate re-claim and exits 0."})
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Mixin ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    LoadedConfig loaded = config.read();
    RelayConfig c = loaded.config();
    Logging.configure(c.logging());
    log.info("Starting relay with {}", config.file);
    loaded.warnings().forEach(w -> log.warn("Configuration: {}", w));
    AtomicReference<Relay> running = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    // Registered before starting, so a SIGTERM during migration also ends in an orderly exit.
    Shutdown.onTerminate(() -> {
      Relay relay = running.get();
      if (relay == null) {
        log.info("Termination requested while starting; exiting");
        return true;
      }
      log.info("Termination requested; stopping gracefully (grace period {})", c.shutdownGrace());
      try {
        relay.stop().block(c.shutdownGrace().plus(Duration.ofSeconds(15)));
        return true;
      } catch (RuntimeException e) {
        log.error("Graceful stop did not complete: {}", e.toString());
        return false;
      } finally {
        stopped.countDown();
      }
    });
    running.set(Objects.requireNonNull(Relay.start(c, WebhookTransport::create).block()));
    stopped.await();
    return ExitCodes.OK;
  }
}
