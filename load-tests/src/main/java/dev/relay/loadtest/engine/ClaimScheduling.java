package dev.relay.loadtest.engine;

import dev.relay.engine.RelayEngine;
import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.registry.Registry;
import dev.relay.engine.spi.Deliverer;
import dev.relay.engine.spi.Outcome;
import dev.relay.loadtest.ceiling.ClaimSettleProcedures;
import dev.relay.loadtest.ceiling.Throughput;
import dev.relay.loadtest.ledger.LatencyRecorder;
import dev.relay.loadtest.ledger.LatencySummary;
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
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;

/**
 * {@code claims}: the claim scheduling as deployments see it, each case beside the in-database
 * ceiling of the same claim and settle SQL on the same Postgres in the same run.
 *
 * <ol>
 *   <li>one endpoint at configuration defaults, a receiver answering in 0-1 ms;
 *   <li>the same with 100,000 idle endpoints configured as well (claims must cost the same);
 *   <li>1,000 ordering keys x 50 messages (only the head of each key is claimable);
 *   <li>the flood: endpoint A with a backlog and a 500 ms receiver beside endpoint B receiving 10
 *       events/s: B's publish-to-attempt latency with and without A's flood.
 * </ol>
 */
public final class ClaimScheduling extends DescribedScenario {
  private static final int IDLE_ENDPOINTS = 100_000;
  private static final int KEYS = 1_000;
  private static final int PER_KEY = 50;
  private static final Duration FLOOD_FOR = Duration.ofSeconds(20);

  public ClaimScheduling() {
    super("claims", "claim scheduling: one endpoint at defaults, 100,000 idle endpoints, 1,000 keys x 50, a flood "
        + "beside a quiet endpoint (--events 50000), each vs the in-database ceiling", Map.of("events", "50000"));
  }

  @Override
  public RunReport run(ScenarioContext context) throws Exception {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    int n = Math.toIntExact(context.options().events());
    PostgresServer server = context.postgres();
    String schema = context.options().schema() + "_claims";
    context.say("%s (%s); %d cores", server.describe(), server.settings(), Runtime.getRuntime().availableProcessors());
    List<PhaseResult> phases = new ArrayList<>();
    List<TargetCheck> targets = new ArrayList<>();

    List<EndpointSpec> one = List.of(new EndpointSpec("sink", List.of()));
    Throughput ceiling = ceiling(server, schema, one, n, null, 100);
    context.say("CEILING  one endpoint, claim batch 100: %,.0f deliveries/s", ceiling.perSecond());
    Run defaults = drain(context, server, schema, one, one, n, null, EngineConfig.DEFAULT);
    phases.add(phase("one endpoint, defaults", "configuration defaults, receiver 0-1 ms", n, defaults, ceiling));
    say(context, "one endpoint at defaults", defaults, ceiling);
    double ratio = defaults.perSecond() / ceiling.perSecond();
    targets.add(new TargetCheck("one endpoint at defaults >= 50% of the in-database ceiling",
        String.format(Locale.ROOT, "%.0f%%", 100 * ratio), ratio >= 0.5));

    List<EndpointSpec> many = Stream.concat(one.stream(),
        IntStream.range(0, IDLE_ENDPOINTS).mapToObj(i -> new EndpointSpec("idle-" + i, List.of("idle.*")))).toList();
    Throughput manyCeiling = ceiling(server, schema, many, n, null, 100);
    context.say("CEILING  1 busy + %,d idle endpoints: %,.0f deliveries/s", IDLE_ENDPOINTS, manyCeiling.perSecond());
    Run idle = drain(context, server, schema, many, many, n, null, EngineConfig.DEFAULT);
    phases.add(phase("1 busy + 100,000 idle endpoints", "defaults, receiver 0-1 ms", n, idle, manyCeiling));
    say(context, "1 busy + 100,000 idle endpoints", idle, manyCeiling);
    double cost = idle.claimMillis() / Math.max(0.001, defaults.claimMillis());
    targets.add(new TargetCheck("claim with 100,000 idle endpoints <= 2x the claim with one",
        String.format(Locale.ROOT, "%.2f ms vs %.2f ms (%.1fx)", idle.claimMillis(), defaults.claimMillis(), cost),
        cost <= 2));

    int keyed = KEYS * PER_KEY;
    String key = "'key-' || (g % " + KEYS + ")";
    Throughput keyCeiling = ceiling(server, schema, one, keyed, key, 100);
    context.say("CEILING  %,d keys x %d, claim batch 100 (heads only): %,.0f deliveries/s", KEYS, PER_KEY,
        keyCeiling.perSecond());
    Run keys = drain(context, server, schema, one, one, keyed, key, EngineConfig.DEFAULT);
    phases.add(phase("1,000 keys x 50", "defaults, receiver 0-1 ms, ordered per key", keyed, keys, keyCeiling));
    say(context, "1,000 ordering keys x 50", keys, keyCeiling);

    LatencySummary quiet = flood(context, server, schema, 0);
    LatencySummary flooded = flood(context, server, schema, n);
    context.say("FLOOD    quiet endpoint, publish -> attempt: alone p50 %.2f ms p99 %.2f ms; beside a flood of %,d "
        + "(500 ms receiver) p50 %.2f ms p99 %.2f ms", quiet.p50(), quiet.p99(), n, flooded.p50(),
        flooded.p99());
    targets.add(new TargetCheck("quiet endpoint's p99 beside the flood <= 2x its p99 alone",
        String.format(Locale.ROOT, "%.2f ms vs %.2f ms", flooded.p99(), quiet.p99()),
        flooded.p99() <= 2 * quiet.p99()));

    return new RunReport(name(), "claim scheduling vs the in-database ceiling; " + server.describe() + ", "
        + server.settings(), started, (System.nanoTime() - t0) / 1e9, null, new Ceilings(ceiling, null, null, null, null),
        phases, List.of(), List.of(), targets, List.of());
  }

  /** A drain's result: its rate and its mean claim round trip. */
  record Run(long rows, double seconds, double claimMillis, double rowsPerClaim) {
    double perSecond() {
      return rows / seconds;
    }
  }

  private static void say(ScenarioContext context, String what, Run run, Throughput ceiling) {
    context.say("ENGINE   %s: %,.0f deliveries/s (%.0f%% of the ceiling); claim %.2f ms mean, %.0f rows/claim", what,
        run.perSecond(), 100 * run.perSecond() / ceiling.perSecond(), run.claimMillis(), run.rowsPerClaim());
  }

  private static PhaseResult phase(String name, String load, int n, Run run, Throughput ceiling) {
    return PhaseResult.ofThroughput(name, load, 1, n, run.seconds())
        .withRatios(new Ceilings(ceiling, null, null, null, null).ratios(run.perSecond()));
  }

  /** A fresh schema with {@code endpoints} declared and n events for the first one, vacuumed. */
  private static Database fresh(PostgresServer server, String schema, List<EndpointSpec> endpoints, int n,
      String orderingKey) throws Exception {
    server.dropSchema(schema);
    Database database = Database.connect(server.address().databaseConfig(schema, 10));
    database.migrate().block(Duration.ofMinutes(1));
    Registry.declare(database, endpoints).block(Duration.ofMinutes(2));
    try (Connection c = server.connect(); Statement st = c.createStatement()) {
      EngineBench.publish(st, schema, n, "jsonb_build_object('n', g, 'pad', repeat('x', 900))", orderingKey);
      EngineBench.vacuum(st, schema);
    }
    return database;
  }

  private static Throughput ceiling(PostgresServer server, String schema, List<EndpointSpec> endpoints, int n,
      String orderingKey, int batch) throws Exception {
    Database database = fresh(server, schema, endpoints, n, orderingKey);
    try (Connection c = server.connect()) {
      UUID instance = EngineBench.register(database, endpoints);
      ClaimSettleProcedures.Drained d = ClaimSettleProcedures.drain(c, database.sql(), instance, batch, batch);
      if (d.rows() != n) {
        throw new IllegalStateException("ceiling drained " + d.rows() + " of " + n);
      }
      return Throughput.of(d.rows(), d.seconds(), "claim + settle SQL looped inside Postgres, batch " + batch);
    } finally {
      database.close().block(Duration.ofSeconds(30));
      server.dropSchema(schema);
    }
  }

  /** The real engine drains n pre-published events; a receiver answering in 0-1 ms. */
  private static Run drain(ScenarioContext context, PostgresServer server, String schema, List<EndpointSpec> declared,
      List<EndpointSpec> served, int n, String orderingKey, EngineConfig config) throws Exception {
    Database database = fresh(server, schema, declared, n, orderingKey);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Deliverer fast = d -> Mono.delay(Duration.ofNanos(ThreadLocalRandom.current().nextInt(1_000_000)))
        .thenReturn(Outcome.delivered(200));
    RelayEngine engine = RelayEngine.create(database, config, served, fast, registry);
    try {
      long start = System.nanoTime();
      engine.start().block(Duration.ofMinutes(2));
      while (delivered(registry) < n) {
        TimeUnit.MILLISECONDS.sleep(2);
        if (System.nanoTime() - start > Duration.ofMinutes(10).toNanos()) {
          throw new IllegalStateException("engine delivered only " + delivered(registry) + " of " + n);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      var claims = registry.find(EngineMetrics.CLAIM_LATENCY).timer();
      var batches = registry.find(EngineMetrics.CLAIM_BATCH).summary();
      return new Run(n, seconds, claims.mean(TimeUnit.MILLISECONDS), batches.mean());
    } finally {
      engine.stop(Duration.ofSeconds(10)).block(Duration.ofSeconds(30));
      database.close().block(Duration.ofSeconds(30));
      server.dropSchema(schema);
    }
  }

  /**
   * Endpoint "quiet" receives 10 events/s for {@link #FLOOD_FOR} while endpoint "flood" has
   * {@code backlog} due rows and a 500 ms receiver; the quiet events' publish-to-attempt latency.
   */
  private static LatencySummary flood(ScenarioContext context, PostgresServer server, String schema, int backlog)
      throws Exception {
    List<EndpointSpec> endpoints = List.of(new EndpointSpec("flood", List.of("flood.*")),
        new EndpointSpec("quiet", List.of("quiet.*")));
    server.dropSchema(schema);
    Database database = Database.connect(server.address().databaseConfig(schema, 10));
    database.migrate().block(Duration.ofMinutes(1));
    Registry.declare(database, endpoints).block(Duration.ofMinutes(2));
    try (Connection c = server.connect(); Statement st = c.createStatement()) {
      if (backlog > 0) {
        st.execute("SELECT " + schema + ".publish_batch((SELECT jsonb_agg(jsonb_build_object('event_type', "
            + "'flood.x', 'payload', jsonb_build_object('n', g))) FROM generate_series(1, " + backlog + ") g))");
      }
    }
    Map<String, Long> published = new ConcurrentHashMap<>();
    LatencyRecorder latency = new LatencyRecorder();
    Deliverer receiver = d -> {
      if (d.endpoint().equals("quiet")) {
        Long at = published.get(d.eventId());
        if (at != null && d.attempt() == 1) {
          latency.recordNanos(System.nanoTime() - at);
        }
        return Mono.just(Outcome.delivered(200));
      }
      return Mono.delay(Duration.ofMillis(500)).thenReturn(Outcome.delivered(200));
    };
    RelayEngine engine = RelayEngine.create(database, EngineConfig.DEFAULT, endpoints, receiver, new SimpleMeterRegistry());
    try (Connection c = server.connect();
        PreparedStatement ps = c.prepareStatement("SELECT " + schema + ".publish('quiet.x', '{}'::jsonb, event_id => ?)")) {
      engine.start().block(Duration.ofMinutes(2));
      TimeUnit.SECONDS.sleep(3);
      long end = System.nanoTime() + FLOOD_FOR.toNanos();
      for (int i = 0; System.nanoTime() < end; i++) {
        String id = "quiet-" + i;
        published.put(id, System.nanoTime());
        ps.setString(1, id);
        ps.execute();
        TimeUnit.MILLISECONDS.sleep(100);
      }
      TimeUnit.SECONDS.sleep(2);
      return latency.total();
    } finally {
      engine.stop(Duration.ZERO).block(Duration.ofSeconds(30));
      database.close().block(Duration.ofSeconds(30));
      server.dropSchema(schema);
    }
  }

  private static double delivered(SimpleMeterRegistry registry) {
    return registry.find(EngineMetrics.DELIVERED).counters().stream().mapToDouble(c -> c.count()).sum();
  }
}
