package dev.relay.app.cli;

import dev.relay.app.demo.SampleReceiver;
import dev.relay.app.runtime.Shutdown;
import dev.relay.webhook.signing.WebhookVerifier;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.netty.DisposableServer;

/** {@code relay sample-receiver}: the demo's verifying receiver on its own (used by docker-compose). */
@Command(name = "sample-receiver", mixinStandardHelpOptions = true,
    description = "Run a sample webhook receiver that verifies Standard Webhooks signatures and prints what it "
        + "receives. Every POST path is accepted (e.g. /billing). For trying the relay out, not for production.")
final class SampleReceiverCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String bind = "127.0.0.1";

  @Option(names = "--port", defaultValue = "8080", description = "Port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--secret-env", defaultValue = "RECEIVER_SECRET", paramLabel = "VAR",
      description = "Environment variable holding the whsec_ signing secret (default ${DEFAULT-VALUE}).")
  String secretEnv = "RECEIVER_SECRET";

  @Option(names = "--failure-rate", defaultValue = "0.5",
      description = "Share of payment.flaky events answered with 503 (default ${DEFAULT-VALUE}).")
  double failureRate;

  @Override
  public Integer call() throws InterruptedException {
    String secret = System.getenv(secretEnv);
    if (secret == null || secret.isBlank()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "set " + secretEnv + " to the endpoint's whsec_ secret");
    }
    WebhookVerifier.of(secret); // fails early, naming no secret, if it is malformed
    SampleReceiver receiver = new SampleReceiver(secret, System.out, failureRate, Integer.MAX_VALUE);
    DisposableServer server = Objects.requireNonNull(receiver.start(bind, port).block(Duration.ofSeconds(30)));
    System.out.printf("Sample receiver listening on http://%s:%d/<endpoint>%n", bind, server.port());
    CountDownLatch stopped = new CountDownLatch(1);
    Shutdown.onTerminate(() -> {
      server.disposeNow(Duration.ofSeconds(5));
      stopped.countDown();
      return true;
    });
    stopped.await();
    return ExitCodes.OK;
  }
}
