package dev.relay.loadtest.reliability;

import dev.relay.engine.config.EngineConfig;
import dev.relay.loadtest.cli.Options;
import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.postgres.Identifiers;
import dev.relay.loadtest.process.MetricTotals;
import dev.relay.loadtest.process.RelayConfigFile;
import dev.relay.loadtest.process.RelayProcess;
import dev.relay.loadtest.process.RelaySpec;
import dev.relay.loadtest.publish.Backlog;
import dev.relay.loadtest.publish.OpenLoop;
import dev.relay.loadtest.publish.PublishProgress;
import dev.relay.loadtest.publish.Publisher;
import dev.relay.loadtest.run.Workbench;
import dev.relay.loadtest.scenario.ScenarioContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * One fault scenario's run: the workbench (receiver, publisher, a fresh schema), the relays it
 * starts (logs in {@code out/relays/}), the ledgers of what it published, and SQL on a control
 * connection of its own that reconnects after a database outage. The relay spec is the
 * workbench's with the scenario's settings, under the user's {@code --relay-set}.
 */
final class FaultRun implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_WAIT = Duration.ofSeconds(60);

  private final String name;
  private final ScenarioContext context;
  private final Workbench bench;
  private final RelaySpec spec;
  private final EngineConfig delivery;
  private final Path relayDir;
  private final LedgerSet ledgers = new LedgerSet();
  private final List<RelayProcess> started = new ArrayList<>();
  private final Map<String, Integer> generations = new HashMap<>();
  private final long openedNanos = System.nanoTime();
  private @Nullable Connection control;

  private FaultRun(String name, ScenarioContext context, Workbench bench, Map<String, String> settings)
      throws IOException {
    this.name = name;
    this.context = context;
    this.bench = bench;
    this.spec = bench.spec().withOverrides(settings).withOverrides(context.options().relaySettings());
    this.delivery = RelayConfigFile.effective(spec).engineConfig();
    this.relayDir = Files.createDirectories(context.out().resolve("relays"));
    bench.receiver().listen(ledgers);
  }

  static FaultRun open(String name, ScenarioContext context, Map<String, String> settings) throws Exception {
    Workbench bench = Workbench.open(context);
    try {
      return new FaultRun(name, context, bench, settings);
    } catch (IOException | RuntimeException e) {
      bench.close();
      throw e;
    }
  }

  Workbench bench() {
    return bench;
  }

  Options options() {
    return context.options();
  }

  RelaySpec spec() {
    return spec;
  }

  /** The relays' effective delivery settings (defaults, the scenario's, the user's). */
  EngineConfig delivery() {
    return delivery;
  }

  LedgerSet ledgers() {
    return ledgers;
  }

  String schema() {
    return bench.schema();
  }

  void say(String format, Object... args) {
    context.say("%s: %s", name, String.format(java.util.Locale.ROOT, format, args));
  }

  /** Starts relay {@code slot} on the run's spec, without waiting; a slot started again gets a new log. */
  RelayProcess start(String slot) throws IOException {
    return start(slot, spec);
  }

  RelayProcess start(String slot, RelaySpec relaySpec) throws IOException {
    int generation = generations.merge(slot, 1, Integer::sum);
    RelayProcess r = RelayProcess.start(relaySpec, generation == 1 ? slot : slot + "-" + generation, relayDir);
    started.add(r);
    return r;
  }

  /** Starts {@code relay-1 .. relay-n} together and waits until each is ready. */
  List<RelayProcess> startReady(int n) throws IOException, InterruptedException {
    List<RelayProcess> relays = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      relays.add(start("relay-" + i));
    }
    for (RelayProcess r : relays) {
      r.awaitReady(READY_TIMEOUT);
    }
    return relays;
  }

  void awaitReady(RelayProcess r) throws InterruptedException {
    r.awaitReady(READY_TIMEOUT);
  }

  /** A ledger for {@code capacity} events with a fresh tag starting {@code prefix}, listening from now. */
  DeliveryLedger ledger(String prefix, long capacity) {
    DeliveryLedger ledger = new DeliveryLedger(bench.newIds(prefix), Math.toIntExact(capacity));
    ledgers.add(ledger);
    return ledger;
  }

  /** Publishes the ledger's events 0..n-1 as fast as the database takes them (--publish-batch per statement). */
  PublishProgress publishBacklog(DeliveryLedger ledger, long n) {
    return publishBacklog(bench.publisher(), ledger, n);
  }

  PublishProgress publishBacklog(Publisher publisher, DeliveryLedger ledger, long n) {
    PublishProgress progress = new PublishProgress(ledger);
    Backlog.publish(publisher, bench.events(ledger.ids()), n, options().publishBatch(),
        options().publishConnections(), progress).block(Duration.ofMinutes(30));
    ledger.expect(progress.published());
    return progress;
  }

  /** The ledger's events 0..n-1 at {@code rate} per second, open loop; completes when the last is committed. */
  Mono<Void> openLoop(DeliveryLedger ledger, double rate, long n, PublishProgress progress) {
    OpenLoop loop = new OpenLoop(bench.events(ledger.ids()), rate, n, options().publishBatch(),
        options().publishConnections());
    return loop.run(bench.publisher(), progress, Duration.ofSeconds(60));
  }

  /** A publisher of its own (the workbench's connections do not survive a Postgres restart). */
  Publisher newPublisher() {
    return Publisher.create(options().publisher(), bench.postgres().address(), schema(),
        options().publishConnections());
  }

  /** Waits until every event the ledger expects arrived, at most --drain-timeout. */
  boolean awaitDelivered(DeliveryLedger ledger) throws InterruptedException {
    return ledger.awaitComplete(options().drainTimeout());
  }

  /** The relay's /metrics summed per name; nothing if it does not answer. */
  static MetricTotals metrics(RelayProcess r) throws InterruptedException {
    try {
      return MetricTotals.parse(r.admin().metrics());
    } catch (IOException e) {
      return MetricTotals.NONE;
    }
  }

  /**
   * The single number a query returns; {@code %s} in it stands for the run's schema. Reconnects
   * once if the control connection broke (Postgres restarted).
   */
  long number(String sql) throws SQLException {
    String text = sql.formatted(Identifiers.checked(schema()));
    try {
      return query(text);
    } catch (SQLException e) {
      dropControl();
      return query(text);
    }
  }

  private long query(String sql) throws SQLException {
    try (Statement st = control().createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** The control connection itself, for queries with several columns. */
  Connection control() throws SQLException {
    if (control == null || control.isClosed()) {
      control = bench.postgres().connect();
    }
    return control;
  }

  private void dropControl() {
    if (control != null) {
      try {
        control.close();
      } catch (SQLException e) {
        // broken already
      }
      control = null;
    }
  }

  /**
   * Stops the relays (SIGTERM) and completes the result: their exit codes, the unexpected
   * arrivals, the first duplicated ids with the receiver's answers to each, the wall time since
   * the run opened.
   */
  FaultResult finish(FaultResult.Builder result) throws InterruptedException {
    List<String> duplicates = ledgers.duplicates();
    if (!duplicates.isEmpty()) {
      result.figure("duplicated, e.g. (the receiver's answers to each): %s", String.join("; ", duplicates));
    }
    try {
      describeRows(result);
    } catch (SQLException e) {
      result.figure("delivery rows not read: %s", e.getMessage());
    }
    return result.build(ledgers.unexpected(), stopAll(), (System.nanoTime() - openedNanos) / 1e9);
  }

  /** The relay tables' own account: rows per state, and where each undelivered id of the sample is. */
  private void describeRows(FaultResult.Builder result) throws SQLException {
    List<String> states = new ArrayList<>();
    try (Statement st = control().createStatement(); ResultSet rs = st.executeQuery(
        "SELECT state, count(*) FROM %s.delivery GROUP BY state ORDER BY state".formatted(schema()))) {
      while (rs.next()) {
        states.add(String.format(java.util.Locale.ROOT, "%s %,d", rs.getString(1), rs.getLong(2)));
      }
    }
    result.figure("delivery rows at the end: %s", String.join(", ", states));
    for (String id : result.missingSample()) {
      try (var st = control().prepareStatement("SELECT d.state, d.attempts, d.last_error FROM %s.delivery d JOIN %s.message m "
          .formatted(schema(), schema()) + "ON m.id = d.message_id WHERE m.event_id = ?")) {
        st.setString(1, id);
        try (ResultSet rs = st.executeQuery()) {
          result.figure("undelivered %s: %s", id, rs.next() ? rs.getString(1) + " after " + rs.getInt(2)
              + " attempt(s), last error " + rs.getString(3) : "NO ROW");
        }
      }
    }
  }

  /**
   * {@code pg_terminate_backend} on every relay connection (pool and LISTEN: application_name
   * {@code relay}), never this tool's (they keep the JDBC driver's name); how many.
   */
  long terminateRelayBackends() throws SQLException {
    return number("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        + "WHERE application_name = 'relay' AND pid <> pg_backend_pid()");
  }

  /**
   * SIGTERM to every relay still running (once ready: one still starting has no shutdown hook yet),
   * then their exit codes (SIGKILL after a minute: 137).
   */
  List<Integer> stopAll() throws InterruptedException {
    List<RelayProcess> alive = started.stream().filter(RelayProcess::alive).toList();
    for (RelayProcess r : alive) {
      try {
        r.awaitReady(READY_TIMEOUT);
      } catch (IllegalStateException e) {
        say("%s did not get ready before the end: %s", r.name(), e.getMessage());
      }
    }
    alive.forEach(RelayProcess::requestStop);
    List<Integer> codes = new ArrayList<>();
    for (RelayProcess r : alive) {
      codes.add(r.awaitExit(STOP_WAIT));
    }
    return codes;
  }

  static void sleep(Duration d) throws InterruptedException {
    TimeUnit.NANOSECONDS.sleep(Math.max(0, d.toNanos()));
  }

  @Override
  public void close() throws InterruptedException {
    for (RelayProcess r : started) {
      if (r.alive()) {
        r.kill();
      }
    }
    dropControl();
    bench.close();
  }
}
