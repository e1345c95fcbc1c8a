package dev.relay.loadtest.engine;

import dev.relay.engine.RelayEngine;
import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.registry.Registry;
import dev.relay.engine.spi.Deliverer;
import dev.relay.engine.spi.Outcome;
import dev.relay.loadtest.postgres.PostgresServer;
import dev.relay.loadtest.report.Ceilings;
import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.RunReport;
import dev.relay.loadtest.report.TargetCheck;
import dev.relay.loadtest.scenario.DescribedScenario;
import dev.relay.loadtest.scenario.ScenarioContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * {@code publish}: what publishing costs the application, beside the floor of writing the same
 * data by hand, on the same Postgres in the same run. One event per transaction (autocommit), 1
 * KiB payloads, 1 and 8 publishers; with no relay running, with a relay idle for the endpoint (it
 * delivers what arrives), and with a relay draining a backlog. Then 10,000 events in one statement.
 *
 * <p>Each condition starts from empty tables. The floor and relay.publish, whose ratio is the
 * result, run three times alternately (medians reported, every run printed), each after a
 * CHECKPOINT; with the relay idle, each also starts once the relay has delivered everything
 * published before it.
 *
 * <p>Under each line of the floor and of relay.publish, what an event cost the database over its
 * runs ({@link WriteLedger}): commits, WAL records and bytes, and the machine's busy cores. With a
 * relay running, its claims and settles show up there beside the publish's own writes.
 *
 * <p>The floor ("two rows") writes a message row and one delivery row into two plain tables with
 * just a primary key each: no function, no trigger, no NOTIFY. The bound ("the relay's two rows")
 * writes the rows relay.publish writes, by hand, into the relay's own tables (every index the
 * relay needs, the wakeup check), with no checks and no routing: no publish function can beat it,
 * and with a relay running it pays for its rows' delivery as relay.publish does. These three run
 * in every round. Beside them, once each: plain inserts (with and without NOTIFY), and
 * relay.publish as applications often call it, with their own event id and a traceparent.
 */
public final class PublishCost extends DescribedScenario {
  private static final Duration EACH = Duration.ofSeconds(5);
  /** Runs of the floor and of relay.publish, alternating, per condition and publisher count. */
  private static final int ROUNDS = 3;
  private static final int BATCH = 10_000;
  /**
   * The backlog a draining relay has at the start of each measurement (topped up before each):
   * with the benchmark's instant deliverer it drains tens of thousands in one measurement.
   */
  private static final int BACKLOG = 200_000;
  private static final String PAYLOAD = "{\"data\": \"" + "x".repeat(1010) + "\"}";
  /** The relay's two rows written by hand: the bound for relay.publish (see its statement). */
  private static final String BOUND = "the relay's two rows (bound)";
  private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  public PublishCost() {
    super("publish", "what relay.publish and relay.publish_batch cost the application vs a two-row floor, "
        + "1 and 8 publishers, no relay / relay idle / relay draining", Map.of());
  }

  /** A statement kind, run once per transaction. */
  private record Kind(String name, String sql) {}

  /** The kinds compared: the floor, relay.publish and the bound run in every round; the rest once. */
  private static boolean paired(Kind kind) {
    return kind.name().startsWith("two rows") || kind.name().equals("relay.publish") || kind.name().equals(BOUND);
  }

  @Override
  public RunReport run(ScenarioContext context) throws Exception {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    PostgresServer server = context.postgres();
    String schema = context.options().schema() + "_publish";
    String floor = schema + "_floor";
    context.say("%s (%s); %d cores; %s per measurement", server.describe(), server.settings(),
        Runtime.getRuntime().availableProcessors(), EACH);
    Database database = setUp(server, schema, floor);
    List<Kind> kinds = List.of(
        new Kind("plain insert", "INSERT INTO " + floor + ".plain (payload) VALUES (?::jsonb)"),
        new Kind("plain insert + NOTIFY", "WITH p AS (INSERT INTO " + floor + ".plain (payload) VALUES (?::jsonb) "
            + "RETURNING id) SELECT pg_notify('bench_floor', '') FROM p"),
        new Kind("two rows (floor)", "WITH m AS (INSERT INTO " + floor + ".message (event_id, event_type, payload) "
            + "VALUES ('msg_' || replace(gen_random_uuid()::text, '-', ''), 'bench.event', ?::jsonb) RETURNING id) "
            + "INSERT INTO " + floor + ".delivery (message_id, endpoint) SELECT id, 'sink' FROM m"),
        new Kind("relay.publish", "SELECT " + schema + ".publish('bench.event', ?::jsonb)"),
        // The most any publish could reach: the two rows relay.publish writes, into the relay's own
        // tables (with every index the relay needs), waking an idle relay as relay.publish does; no
        // checks, no routing. A relay running delivers them, so it also pays for their delivery.
        new Kind(BOUND, "WITH m AS (INSERT INTO " + schema + ".message (event_type, payload, unrouted) "
            + "VALUES ('bench.event', ?::jsonb, false) RETURNING id), d AS (INSERT INTO " + schema + ".delivery "
            + "(message_id, endpoint, created_at, next_attempt_at) SELECT id, 'sink', now(), now() FROM m RETURNING id) "
            + "SELECT pg_notify('" + schema + "_wakeup', '') FROM d WHERE EXISTS (SELECT 1 FROM " + schema
            + ".instance_endpoint r WHERE r.endpoint = 'sink' AND NOT r.draining)"),
        // As applications often call it: their own event id (for idempotency) and the caller's trace.
        new Kind("relay.publish + event_id, traceparent", "SELECT " + schema + ".publish('bench.event', ?::jsonb, "
            + "event_id => 'order-' || gen_random_uuid(), traceparent => '" + TRACEPARENT + "')"));
    List<PhaseResult> phases = new ArrayList<>();
    List<TargetCheck> targets = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try {
      for (String condition : List.of("no relay", "relay idle", "relay draining a backlog")) {
        // Each condition starts from empty tables: what one left pending (no relay delivers the
        // first condition's publishes) must not become the next one's backlog.
        clear(server, schema, floor);
        RelayEngine relay = condition.equals("no relay") ? null : relay(server, database, schema,
            condition.startsWith("relay draining") ? BACKLOG : 0);
        // With a relay idle for the endpoint, every measurement starts once it has delivered
        // everything published before (it delivers as events come, not a leftover backlog). A
        // draining relay gets its backlog topped up before each measurement (it drains one
        // measurement's worth in seconds), and a run it emptied in is reported as such.
        Setting ready = switch (condition) {
          case "relay idle" -> new Setting(() -> awaitDelivered(server, schema), () -> true);
          case "relay draining a backlog" -> new Setting(() -> topUp(server, schema), () -> unclaimed(server, schema) > 0);
          default -> new Setting(() -> { }, () -> true);
        };
        try {
          for (int clients : new int[] {1, 8}) {
            // The pair the ratio compares, the floor and relay.publish, runs ROUNDS times
            // alternately and reports its medians; the plain inserts (context) run once. Each
            // measurement starts right after a CHECKPOINT, so none pays for another's dirty pages.
            Map<Kind, List<Run>> runs = new LinkedHashMap<>();
            for (Kind kind : kinds) {
              boolean paired = paired(kind);
              runs.put(kind, new ArrayList<>());
              if (!paired) {
                runs.get(kind).add(run(server, kind.sql(), clients, ready));
              }
            }
            for (int round = 0; round < ROUNDS; round++) {
              for (Kind kind : kinds) {
                if (paired(kind)) {
                  runs.get(kind).add(run(server, kind.sql(), clients, ready));
                }
              }
            }
            double floorTps = 0;
            double boundTps = 0;
            double publishTps = 0;
            for (Kind kind : kinds) {
              List<Double> all = runs.get(kind).stream().map(Run::tps).toList();
              double tps = median(all);
              if (kind.name().startsWith("two rows")) {
                floorTps = tps;
              } else if (kind.name().equals(BOUND)) {
                boundTps = tps;
              }
              String ratio = floorTps == 0 ? "" : String.format(Locale.ROOT, " (%.0f%% of the floor)", 100 * tps / floorTps);
              String each = all.size() == 1 ? "" : " (runs " + all.stream()
                  .map(t -> String.format(Locale.ROOT, "%,.0f", t)).collect(Collectors.joining(", ")) + ")";
              long emptied = runs.get(kind).stream().filter(r -> !r.held()).count();
              if (emptied > 0) {
                each += " [the relay's backlog ran out in " + emptied + " of " + all.size() + " run(s)]";
              }
              context.say("PUBLISH  %-24s %s, %d publisher(s): %,8.0f tps%s%s", condition + ":", kind.name(), clients, tps,
                  kind.name().startsWith("two rows") ? "" : ratio, each);
              WriteLedger cost = runs.get(kind).stream().map(Run::ledger).reduce(WriteLedger::plus).orElse(WriteLedger.NONE);
              String perEvent = cost.perEvent(runs.get(kind).stream().mapToLong(Run::events).sum());
              if (!perEvent.isEmpty()) {
                context.say("           %s", perEvent);
              }
              phases.add(PhaseResult.ofThroughput(condition + ", " + clients + " publisher(s), " + kind.name(),
                  "one 1 KiB event per transaction", 1, Math.round(tps * EACH.toSeconds()), EACH.toSeconds()));
              if (kind.name().equals("relay.publish")) {
                publishTps = tps;
              }
            }
            if (!condition.equals("no relay")) {
              double r = publishTps / floorTps;
              targets.add(new TargetCheck(clients + " publisher(s), " + condition + ": relay.publish >= 70% of the floor",
                  String.format(Locale.ROOT, "%.0f%% (the relay's two rows by hand: %.0f%%)", 100 * r,
                      100 * boundTps / floorTps), r >= 0.7));
            }
          }
        } finally {
          if (relay != null) {
            relay.stop(Duration.ofSeconds(5)).block(Duration.ofSeconds(30));
          }
        }
      }
      clear(server, schema, floor);
      batches(context, server, schema, floor, targets);
      notes.add("floor: a message row and a delivery row in two plain tables with a primary key each");
    } finally {
      database.close().block(Duration.ofSeconds(30));
      server.dropSchema(schema);
      server.dropSchema(floor);
    }
    return new RunReport(name(), "publishing cost vs a two-row floor; " + server.describe() + ", " + server.settings(),
        started, (System.nanoTime() - t0) / 1e9, null, Ceilings.NONE, phases, List.of(), List.of(), targets, notes);
  }

  private static Database setUp(PostgresServer server, String schema, String floor) throws SQLException {
    server.dropSchema(schema);
    server.dropSchema(floor);
    Database database = Database.connect(server.address().databaseConfig(schema, 10));
    database.migrate().block(Duration.ofMinutes(1));
    Registry.declare(database, List.of(new EndpointSpec("sink", List.of()))).block(Duration.ofMinutes(1));
    try (Connection c = server.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + floor);
      st.execute("CREATE TABLE " + floor + ".plain (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb NOT NULL)");
      st.execute("CREATE TABLE " + floor + ".message (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
          + "event_id text NOT NULL, event_type text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
      st.execute("CREATE TABLE " + floor + ".delivery (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
          + "message_id bigint NOT NULL, endpoint text NOT NULL, state text NOT NULL DEFAULT 'pending', "
          + "next_attempt_at timestamptz NOT NULL DEFAULT now())");
    }
    return database;
  }

  /** A relay serving the endpoint, delivering to a receiver answering in 0-1 ms; after a backlog of {@code backlog}. */
  private static RelayEngine relay(PostgresServer server, Database database, String schema, int backlog) throws Exception {
    if (backlog > 0) {
      try (Connection c = server.connect(); Statement st = c.createStatement()) {
        EngineBench.publish(st, schema, backlog, "jsonb_build_object('n', g, 'pad', repeat('x', 900))", null);
      }
    }
    Deliverer fast = d -> Mono.delay(Duration.ofNanos(ThreadLocalRandom.current().nextInt(1_000_000)))
        .thenReturn(Outcome.delivered(200));
    RelayEngine relay = RelayEngine.create(database, EngineConfig.DEFAULT, List.of(new EndpointSpec("sink", List.of())),
        fast, new SimpleMeterRegistry());
    relay.start().block(Duration.ofMinutes(1));
    Thread.sleep(1000);
    return relay;
  }

  /** Writes out dirty pages, so a measurement does not pay for the previous one's. */
  private static void checkpoint(Statement st) {
    try {
      st.execute("CHECKPOINT");
    } catch (SQLException e) {
      // Not allowed to this role (an external database): measured without.
    }
  }

  /** Empties the relay's and the floor's tables (no relay runs). */
  private static void clear(PostgresServer server, String schema, String floor) throws SQLException {
    try (Connection c = server.connect(); Statement st = c.createStatement()) {
      st.execute("TRUNCATE " + schema + ".attempt, " + schema + ".delivery, " + schema + ".message, "
          + floor + ".plain, " + floor + ".message, " + floor + ".delivery");
    }
  }

  /** Deliveries pending, claimed ones included. */
  private static long pending(PostgresServer server, String schema) {
    return deliveries(server, schema, "state = 'pending'");
  }

  /** Pending deliveries no relay holds a lease on: what is left of a backlog besides the rows in flight. */
  private static long unclaimed(PostgresServer server, String schema) {
    return deliveries(server, schema, "state = 'pending' AND lease_token IS NULL");
  }

  private static long deliveries(PostgresServer server, String schema, String condition) {
    try (Connection c = server.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".delivery WHERE " + condition)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("could not count deliveries (" + condition + "): " + e.getMessage(), e);
    }
  }

  /** Publishes (set-based, by INSERT) what it takes to bring the pending backlog back to BACKLOG. */
  private static void topUp(PostgresServer server, String schema) {
    long missing = BACKLOG - pending(server, schema);
    if (missing <= 0) {
      return;
    }
    try (Connection c = server.connect(); Statement st = c.createStatement()) {
      st.execute("INSERT INTO " + schema + ".message (event_type, payload) SELECT 'bench.event', "
          + "jsonb_build_object('n', g, 'pad', repeat('x', 900)) FROM generate_series(1, " + missing + ") g");
    } catch (SQLException e) {
      throw new IllegalStateException("could not top up the backlog: " + e.getMessage(), e);
    }
  }

  /** Waits (at most two minutes) until no delivery is pending. */
  private static void awaitDelivered(PostgresServer server, String schema) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    try {
      while (System.nanoTime() < deadline) {
        if (pending(server, schema) == 0) {
          return;
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** One measurement: its rate, the events it published, what they cost the database, and whether its condition held. */
  private record Run(double tps, long events, WriteLedger ledger, boolean held) {}

  /** A condition's part in each measurement: what comes before it, and whether the condition held to its end. */
  private record Setting(Runnable before, BooleanSupplier held) {}

  /**
   * Transactions per second of {@code sql} (one event each) from {@code clients} connections,
   * after a CHECKPOINT, with what they cost the database.
   */
  private static Run run(PostgresServer server, String sql, int clients, Setting setting) throws Exception {
    setting.before().run();
    try (Connection c = server.connect(); Statement st = c.createStatement()) {
      checkpoint(st);
    }
    WriteLedger before = WriteLedger.read(server);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + EACH.toNanos();
    long start = System.nanoTime();
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        all.add(pool.submit(() -> {
          try (Connection c = server.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, PAYLOAD);
            while (System.nanoTime() < end) {
              ps.execute();
              done.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : all) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    boolean held = setting.held().getAsBoolean();
    return new Run(done.get() / seconds, done.get(), WriteLedger.settled(server).since(before), held);
  }

  /**
   * 10,000 events in one statement: the floor set-based, publish per row, publish_batch, and a
   * set-based INSERT into relay.message; three rounds of the four, each statement after a
   * CHECKPOINT, the best of each reported.
   */
  private static void batches(ScenarioContext context, PostgresServer server, String schema, String floor,
      List<TargetCheck> targets) throws SQLException {
    String events = "(SELECT jsonb_agg(jsonb_build_object('event_type', 'bench.event', 'payload', ?::jsonb)) "
        + "FROM generate_series(1, " + BATCH + "))";
    List<String> statements = List.of(
        "WITH m AS (INSERT INTO " + floor + ".message (event_id, event_type, payload) "
            + "SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), 'bench.event', ?::jsonb FROM generate_series(1, "
            + BATCH + ") RETURNING id) INSERT INTO " + floor + ".delivery (message_id, endpoint) SELECT id, 'sink' FROM m",
        "SELECT count(" + schema + ".publish('bench.event', ?::jsonb)) FROM generate_series(1, " + BATCH + ")",
        "SELECT cardinality(" + schema + ".publish_batch(" + events + "))",
        "INSERT INTO " + schema + ".message (event_type, payload) SELECT 'bench.event', ?::jsonb FROM generate_series(1, "
            + BATCH + ")");
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    try (Connection c = server.connect(); Statement checkpoint = c.createStatement()) {
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < statements.size(); i++) {
          checkpoint(checkpoint);
          try (PreparedStatement ps = c.prepareStatement(statements.get(i))) {
            ps.setString(1, PAYLOAD);
            long start = System.nanoTime();
            ps.execute();
            best[i] = Math.min(best[i], (System.nanoTime() - start) / 1e9);
          }
        }
      }
    }
    double floorSeconds = best[0];
    double perRow = best[1];
    double batch = best[2];
    double insert = best[3];
    context.say("BATCH    %,d events in one statement: floor %.2f s; relay.publish per row %.2f s (%.0f%% of the "
        + "floor's rate); relay.publish_batch %.2f s (%.0f%%); INSERT INTO relay.message ... SELECT %.2f s (%.0f%%)",
        BATCH, floorSeconds, perRow, 100 * floorSeconds / perRow, batch, 100 * floorSeconds / batch, insert,
        100 * floorSeconds / insert);
    targets.add(new TargetCheck("10,000 events in one publish_batch statement >= 50% of the floor's rate",
        String.format(Locale.ROOT, "%.0f%%", 100 * floorSeconds / batch), floorSeconds / batch >= 0.5));
    targets.add(new TargetCheck("10,000 events in one INSERT INTO relay.message ... SELECT >= 50% of the floor's rate",
        String.format(Locale.ROOT, "%.0f%%", 100 * floorSeconds / insert), floorSeconds / insert >= 0.5));
  }
}
