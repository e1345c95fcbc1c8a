package dev.relay.loadtest.run;

import dev.relay.app.config.RelayConfig;
import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.db.Database;
import dev.relay.loadtest.cli.Options;
import dev.relay.loadtest.ledger.EventIds;
import dev.relay.loadtest.postgres.PostgresServer;
import dev.relay.loadtest.postgres.TableStat;
import dev.relay.loadtest.postgres.TableStats;
import dev.relay.loadtest.process.RelayConfigFile;
import dev.relay.loadtest.process.RelaySpec;
import dev.relay.loadtest.publish.EventFactory;
import dev.relay.loadtest.publish.Payloads;
import dev.relay.loadtest.publish.Publisher;
import dev.relay.loadtest.publish.Targets;
import dev.relay.loadtest.receiver.Receiver;
import dev.relay.loadtest.receiver.ReceiverSettings;
import dev.relay.loadtest.report.Environment;
import dev.relay.loadtest.scenario.ScenarioContext;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Everything an end-to-end run shares: the receiver (with the run's schedule), the endpoints,
 * the relay spec and its effective configuration, the publisher, and the run's schema (dropped
 * at open: the tool owns it).
 */
public final class Workbench implements AutoCloseable {
  private static final String ADMIN_TOKEN = "relay-load-admin-token-0123456789";

  private final ScenarioContext context;
  private final Options options;
  private final String secret;
  private final List<String> endpoints;
  private final Receiver receiver;
  private final RelaySpec spec;
  private final RelayConfig effective;
  private final Publisher publisher;
  private final Targets targets;
  private final Payloads payloads;
  private int tags;

  private Workbench(ScenarioContext context, String secret, Receiver receiver) throws SQLException {
    this.context = context;
    this.options = context.options();
    this.secret = secret;
    this.receiver = receiver;
    this.endpoints = IntStream.range(0, options.endpoints())
        .mapToObj(i -> String.format(Locale.ROOT, "ep-%04d", i)).toList();
    this.payloads = new Payloads(options.payloadBytes());
    this.targets = new Targets(endpoints, options.zipf());
    this.spec = new RelaySpec(RelayJar.locate(options.relayJar()), options.relayJvmArgs(),
        context.postgres().address(), options.schema(), endpoints, this::urlOf, secret, options.relaySettings(),
        ADMIN_TOKEN);
    this.effective = RelayConfigFile.effective(spec);
    context.postgres().dropSchema(options.schema());
    Database database = Database.connect(context.postgres().address().databaseConfig(options.schema(), 1));
    database.close().block(Duration.ofSeconds(10));
    receiver.schedule(options.receiverSchedule());
    this.publisher = Publisher.create(options.publisher(), context.postgres().address(), options.schema(),
        options.publishConnections());
  }

  public static Workbench open(ScenarioContext context) throws SQLException {
    String secret = newSecret();
    Receiver receiver = Receiver.start(ReceiverSettings.of(secret));
    try {
      return new Workbench(context, secret, receiver);
    } catch (SQLException | RuntimeException e) {
      receiver.close();
      throw e;
    }
  }

  private String urlOf(String endpoint) {
    return receiver.url(endpoint);
  }

  private static String newSecret() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return "whsec_" + Base64.getEncoder().encodeToString(key);
  }

  public ScenarioContext context() {
    return context;
  }

  public Options options() {
    return options;
  }

  public PostgresServer postgres() {
    return context.postgres();
  }

  public String schema() {
    return options.schema();
  }

  public String secret() {
    return secret;
  }

  public List<String> endpoints() {
    return endpoints;
  }

  public Receiver receiver() {
    return receiver;
  }

  public RelaySpec spec() {
    return spec;
  }

  public Publisher publisher() {
    return publisher;
  }

  public Payloads payloads() {
    return payloads;
  }

  public EngineConfig delivery() {
    return effective.engineConfig();
  }

  /** A fresh event-id tag: {@code prefix} plus a counter, so no two phases share ids. */
  public EventIds newIds(String prefix) {
    return new EventIds(prefix + (++tags));
  }

  public EventFactory events(EventIds ids) {
    return new EventFactory(ids, payloads, targets);
  }

  /**
   * Deliveries {@code relays} relays can have in flight at once: each is bounded by
   * delivery.max-in-flight and by the sum of its endpoints' max-in-flight.
   */
  public int concurrency(int relays) {
    EngineConfig d = delivery();
    long perEndpoint = endpoints.stream()
        .mapToLong(e -> d.endpointLimits().getOrDefault(e, d.endpointMaxInFlight())).sum();
    return (int) Math.min(Integer.MAX_VALUE, relays * Math.min(d.maxInFlight(), perEndpoint));
  }

  /** Settles a timed-out phase's leftover backlog as discarded, so the next phase starts empty. */
  public long discardBacklog() throws SQLException {
    try (Connection c = postgres().connect(); Statement st = c.createStatement()) {
      return st.executeUpdate("UPDATE " + schema() + ".delivery SET state = 'discarded', settled_at = now(), "
          + "lease_token = NULL WHERE state = 'pending'");
    }
  }

  public List<TableStat> tableStats() throws SQLException {
    try (Connection c = postgres().connect()) {
      return TableStats.read(c, schema());
    }
  }

  public Environment environment() throws SQLException {
    EngineConfig d = delivery();
    return new Environment(Runtime.getRuntime().availableProcessors(),
        postgres().describe() + ", " + postgres().settings(),
        spec.jar().toString(), String.join(" ", spec.jvmArgs()),
        "max-in-flight " + d.maxInFlight() + ", claim-batch-size " + d.claimBatchSize() + ", endpoint-max-in-flight "
            + d.endpointMaxInFlight() + ", poll-interval " + d.pollInterval().toMillis() + " ms",
        options.relaySettings(), publisher.describe() + ", up to " + options.publishBatch() + " event(s) per statement",
        options.receiverDescription());
  }

  @Override
  public void close() {
    publisher.close();
    receiver.close();
  }
}
