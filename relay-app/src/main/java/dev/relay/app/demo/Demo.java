package dev.relay.app.demo;

import dev.relay.app.config.ConfigLoader;
import dev.relay.app.config.RelayConfig;
import dev.relay.app.runtime.Relay;
import dev.relay.app.runtime.TransportFactory;
import dev.relay.engine.endpoint.NewEndpoint;
import dev.relay.engine.endpoint.OnDeadLetter;
import dev.relay.engine.metrics.EngineMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;

/**
 * {@code relay demo}: everything on this machine, nothing to install. An embedded Postgres 17, a
 * receiver that verifies signatures, the relay itself, and a publisher of sample events.
 */
public final class Demo implements AutoCloseable {
  private static final int MAX_ATTEMPTS = 3;
  /** The endpoint the demo creates at runtime (relay.create_endpoint). */
  static final String RUNTIME_ENDPOINT = "acme-invoices";
  /** Its tenant: the sample publisher publishes paid invoices to it. */
  static final String RUNTIME_TENANT = "acme";
  private final PrintStream out;
  private final EmbeddedPostgres postgres;
  private final DisposableServer receiverServer;
  private final SampleReceiver receiver;
  private final Relay relay;
  private final SamplePublisher publisher;
  private final Disposable publishing;
  private volatile @Nullable Disposable status;
  private final String token;

  private Demo(PrintStream out, EmbeddedPostgres postgres, DisposableServer receiverServer, SampleReceiver receiver,
      Relay relay, SamplePublisher publisher, Disposable publishing, String token) {
    this.out = out;
    this.postgres = postgres;
    this.receiverServer = receiverServer;
    this.receiver = receiver;
    this.relay = relay;
    this.publisher = publisher;
    this.publishing = publishing;
    this.token = token;
  }

  /** Starts everything; blocks while Postgres and the servers start (called from main). */
  public static Demo start(String adminBind, int adminPort, double perSecond, PrintStream out,
      TransportFactory transports)
      throws IOException {
    out.println("Starting the relay demo: embedded Postgres 17, a sample receiver, the relay, a publisher...");
    // Our own shutdown hook stops Postgres after the relay drained; its own hook would race it.
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
    DisposableServer receiverServer = null;
    try {
      String secret = "whsec_" + Base64.getEncoder().encodeToString(random(32));
      String token = HexFormat.of().formatHex(random(16));
      SampleReceiver receiver = new SampleReceiver(secret, out, 0.5, MAX_ATTEMPTS);
      receiverServer = Objects.requireNonNull(receiver.start().block(Duration.ofSeconds(30)));
      String key = Base64.getEncoder().encodeToString(random(32));
      Relay relay = startRelay(config(postgres.getPort(), receiverServer.port(), secret, token, adminBind, adminPort,
          key), transports);
      // An endpoint created at runtime, as an application creates one per customer in its own
      // transaction: same receiver, the demo's secret so the receiver can verify it.
      relay.engine().runtimeEndpoints().create(new NewEndpoint(RUNTIME_ENDPOINT,
          "http://127.0.0.1:" + receiverServer.port() + "/" + RUNTIME_ENDPOINT, List.of("invoice.*"), RUNTIME_TENANT,
          "{\"plan\": \"pro\"}", secret, OnDeadLetter.SKIP)).block(Duration.ofSeconds(30));
      SamplePublisher publisher = new SamplePublisher(relay.engine().publisher());
      Disposable publishing = publisher.start(perSecond);
      Demo demo = new Demo(out, postgres, receiverServer, receiver, relay, publisher, publishing, token);
      demo.printWelcome(perSecond);
      Duration every = Duration.ofSeconds(10);
      demo.status = Flux.interval(every, every).subscribe(n -> demo.printStatus());
      return demo;
    } catch (RuntimeException e) {
      if (receiverServer != null) {
        receiverServer.disposeNow();
      }
      postgres.close();
      throw e;
    }
  }

  private static Relay startRelay(RelayConfig config, TransportFactory transports) {
    try {
      return Objects.requireNonNull(Relay.start(config, transports).block(Duration.ofMinutes(2)));
    } catch (RuntimeException e) {
      if (config.admin().port() != 0 && portTaken(e)) {
        System.err.println("relay: port " + config.admin().port() + " is taken; using a free one");
        return Objects.requireNonNull(
            Relay.start(config.withAdmin(config.admin().withPort(0)), transports).block(Duration.ofMinutes(2)));
      }
      throw e;
    }
  }

  private static boolean portTaken(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.BindException || String.valueOf(t.getMessage()).contains("ddress already in use")) {
        return true;
      }
    }
    return false;
  }

  static RelayConfig config(int pgPort, int receiverPort, String secret, String token, String adminBind,
      int adminPort, String encryptionKey) {
    String yaml = """
        database:
          url: r2dbc:postgresql://localhost:%1$d/postgres
          user: postgres
          pool-size: 6
        delivery:
          attempt-timeout: 5s
          lease: 20s
          poll-interval: 1s
          gauge-refresh: 2s
          retry: {initial: 1s, factor: 2, cap: 4s, jitter: 0.2, max-attempts: %6$d}
          retention: {delivered: 1h, interval: 1m}
        webhook:
          connect-timeout: 2s
          breaker: {failure-rate-threshold: 90, minimum-calls: 50}
        runtime-endpoints:
          encryption-keys: ["%8$s"]          # seals runtime endpoints' secrets; random per demo
          allow-http: true                   # the receiver is local; runtime endpoints have their
          allowed-networks: [127.0.0.0/8]    # own network policy (users choose their URLs)
        endpoints:
          - name: billing
            url: http://127.0.0.1:%2$d/billing
            secrets: ["%3$s"]
            event-types: ["invoice.*", "payment.*"]
            allow-http: true                 # the receiver is local
            allowed-networks: [127.0.0.0/8]  # loopback is refused by the SSRF guard unless allowed
          - name: crm
            url: http://127.0.0.1:%2$d/crm
            secrets: ["%3$s"]
            event-types: ["customer.*"]
            allow-http: true
            allowed-networks: [127.0.0.0/8]
          - name: ledger                     # a dead letter holds its customer's later payments
            url: http://127.0.0.1:%2$d/ledger
            secrets: ["%3$s"]
            event-types: ["payment.*"]
            on-dead-letter: block
            allow-http: true
            allowed-networks: [127.0.0.0/8]
        admin:
          bind: "%7$s"
          port: %5$d
          token: %4$s
          publish-enabled: true
        shutdown:
          grace-period: 5s
        """.formatted(pgPort, receiverPort, secret, token, adminPort, MAX_ATTEMPTS, adminBind, encryptionKey);
    return ConfigLoader.parse(yaml, "the demo configuration", Map.of());
  }

  private void printWelcome(double perSecond) {
    String base = relay.baseUrl();
    int pg = postgres.getPort();
    out.println();
    out.println("Relay demo is running.");
    out.printf("  Postgres 17 (embedded)  postgresql://postgres@localhost:%d/postgres%n", pg);
    out.printf("  Sample receiver         http://127.0.0.1:%d/{billing,crm,ledger,acme-invoices}  (verifies every signature)%n",
        receiverServer.port());
    out.printf("  Metrics                 %s/metrics%n", base);
    out.printf("  Readiness               %s/health/ready%n", base);
    out.printf("  Admin API               curl -H 'Authorization: Bearer %s' %s/admin/endpoints%n", token, base);
    out.printf("  Dead letters            curl -H 'Authorization: Bearer %s' %s/admin/dead-letters%n", token, base);
    out.printf("  Attempt history         curl -H 'Authorization: Bearer %s' %s/admin/endpoints/billing/failures  "
        + "(every failed attempt; a delivery's whole history: /admin/deliveries/<id>/attempts)%n", token, base);
    out.printf("  Runtime endpoint        %s of tenant %s, created with relay.create_endpoint(...) (secret sealed at"
        + " rest), gets the invoices published with tenant => '%s':%n"
        + "                          curl -H 'Authorization: Bearer %s' %s/admin/runtime-endpoints/%s%n",
        RUNTIME_ENDPOINT, RUNTIME_TENANT, RUNTIME_TENANT, token, base, RUNTIME_ENDPOINT);
    out.printf("  Publish yourself        psql postgresql://postgres@localhost:%d/postgres -c "
        + "\"SELECT relay.publish('invoice.paid', '{\\\"type\\\": \\\"invoice.paid\\\", \\\"id\\\": 1}')\"%n", pg);
    out.printf("Publishing %.0f sample events per second; %s is refused about half the time, so you will see "
        + "retries and, after 3 attempts, dead letters. On ledger (on-dead-letter: block) a dead letter holds "
        + "its customer's later payments until you replay it:%n  curl -X POST -H 'Authorization: Bearer %s' "
        + "%s/admin/dead-letters/replay -d '{\"endpoint\": \"ledger\"}'%nCtrl-C stops everything.%n%n",
        perSecond, SampleReceiver.FLAKY_TYPE, token, base);
  }

  private void printStatus() {
    MeterRegistry r = relay.registry();
    out.printf("-- published %d, delivered %.0f, retried %.0f, dead letters %.0f (receiver: %d accepted, %d refused, "
            + "%d bad signatures)%n", publisher.published(), sum(r, EngineMetrics.DELIVERED),
        sum(r, EngineMetrics.RETRIED), sum(r, EngineMetrics.DEAD), receiver.accepted(), receiver.refused(),
        receiver.badSignatures());
  }

  private static double sum(MeterRegistry registry, String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  public Relay relay() {
    return relay;
  }

  public long accepted() {
    return receiver.accepted();
  }

  public long badSignatures() {
    return receiver.badSignatures();
  }

  /** Stops the publisher, then the relay gracefully, then the receiver and Postgres. */
  @Override
  public void close() {
    publishing.dispose();
    Disposable ticker = status;
    if (ticker != null) {
      ticker.dispose();
    }
    @Nullable RuntimeException failure = null;
    try {
      relay.stop().block(Duration.ofSeconds(30));
    } catch (RuntimeException e) {
      failure = e;
    }
    printStatus();
    receiverServer.disposeNow(Duration.ofSeconds(5));
    try {
      postgres.close();
    } catch (IOException e) {
      out.println("could not stop embedded Postgres cleanly: " + e.getMessage());
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }
}
