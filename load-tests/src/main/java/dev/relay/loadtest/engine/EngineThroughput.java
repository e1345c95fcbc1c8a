package dev.relay.loadtest.engine;

import dev.relay.engine.RelayEngine;
import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.registry.Registry;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.spi.Outcome;
import dev.relay.loadtest.ceiling.ClaimSettleProcedures;
import dev.relay.loadtest.ceiling.Throughput;
import dev.relay.loadtest.postgres.PostgresServer;
import dev.relay.loadtest.report.Ceilings;
import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.RunReport;
import dev.relay.loadtest.report.TargetCheck;
import dev.relay.loadtest.scenario.DescribedScenario;
import dev.relay.loadtest.scenario.ScenarioContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import reactor.core.publisher.Mono;

/**
 * {@code engine}: engine throughput against the database's own ceiling, on the same Postgres in
 * the same run.
 *
 * <ol>
 *   <li>Ceiling: {@link ClaimSettleProcedures#drain} drains N pending deliveries with exactly the
 *       engine's claim and settle statements (batches of 100), no Java in the loop.
 *   <li>Engine: N pre-published deliveries drained by the real engine with a no-op deliverer,
 *       timed from start until the last settle; for a few claim-batch / in-flight settings.
 * </ol>
 */
public final class EngineThroughput extends DescribedScenario {
  private static final int ENDPOINTS = 4;
  private static final int CEILING_BATCH = 100;
  private static final int[][] SETTINGS = {{100, 256}, {100, 1000}, {250, 1000}, {500, 2000}};

  public EngineThroughput() {
    super("engine", "the engine alone (no-op deliverer, 4 endpoints, --events 50000) vs the in-database ceiling",
        Map.of("events", "50000"));
  }

  @Override
  public RunReport run(ScenarioContext context) throws Exception {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    int n = Math.toIntExact(context.options().events());
    PostgresServer server = context.postgres();
    String schema = context.options().schema();
    context.say("%s (%s); %d deliveries across %d endpoints; %d cores", server.describe(), server.settings(), n,
        ENDPOINTS, Runtime.getRuntime().availableProcessors());
    Throughput ceiling = ceiling(server, schema + "_ceiling", n);
    context.say("CEILING  claim+settle SQL in a Postgres procedure, batch %d: %,.0f deliveries/s", CEILING_BATCH,
        ceiling.perSecond());
    List<PhaseResult> phases = new ArrayList<>();
    for (int[] s : SETTINGS) {
      double seconds = engine(context, server, schema + "_engine", n, s[0], s[1]);
      PhaseResult p = PhaseResult.ofThroughput(String.format(Locale.ROOT, "engine batch %d, in flight %d", s[0], s[1]),
          "no-op deliverer, " + n + " pre-published deliveries over " + ENDPOINTS + " endpoints", ENDPOINTS, n, seconds);
      context.say("ENGINE   claim batch %d, max in flight %d: %,.0f deliveries/s (%.0f%% of ceiling)", s[0], s[1],
          p.throughput(), 100 * p.throughput() / ceiling.perSecond());
      phases.add(p);
    }
    Ceilings ceilings = new Ceilings(ceiling, null, null, null, null);
    phases = phases.stream().map(p -> p.withRatios(ceilings.ratios(p.throughput()))).toList();
    PhaseResult best = phases.stream().max((a, b) -> Double.compare(a.throughput(), b.throughput())).orElseThrow();
    double ratio = best.throughput() / ceiling.perSecond();
    List<TargetCheck> targets = List.of(new TargetCheck("best engine setting >= 50% of the database ceiling",
        String.format(Locale.ROOT, "%.0f%% (%s)", 100 * ratio, best.name()), ratio >= 0.5));
    return new RunReport(name(), "engine alone vs the in-database ceiling, " + n + " deliveries; "
        + server.describe() + ", " + server.settings(), started,
        (System.nanoTime() - t0) / 1e9, null, ceilings, phases, List.of(), List.of(), targets, List.of());
  }

  private static Throughput ceiling(PostgresServer server, String schema, int n) throws Exception {
    Database database = fresh(server, schema, n);
    try (Connection c = server.connect()) {
      UUID instance = EngineBench.register(database, endpoints());
      ClaimSettleProcedures.Drained d = ClaimSettleProcedures.drain(c, database.sql(), instance, CEILING_BATCH,
          CEILING_BATCH);
      if (d.rows() != n) {
        throw new IllegalStateException("ceiling drained " + d.rows() + " of " + n);
      }
      return Throughput.of(d.rows(), d.seconds(), "claim + settle SQL looped inside Postgres, batch " + CEILING_BATCH);
    } finally {
      database.close().block(Duration.ofSeconds(30));
      server.dropSchema(schema);
    }
  }

  /** Drains n pre-published deliveries with the real engine and a no-op deliverer; seconds. */
  private static double engine(ScenarioContext context, PostgresServer server, String schema, int n, int claimBatch,
      int maxInFlight) throws Exception {
    Database database = fresh(server, schema, n);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EngineConfig config = EngineConfig.builder()
        .claimBatchSize(claimBatch)
        .maxInFlight(maxInFlight)
        .endpointMaxInFlight(maxInFlight)
        .settleBatchSize(claimBatch)
        .build();
    RelayEngine engine = RelayEngine.create(database, config, endpoints(), d -> Mono.just(Outcome.delivered(200)),
        registry);
    try {
      long start = System.nanoTime();
      engine.start().block(Duration.ofSeconds(30));
      while (delivered(registry) < n) {
        TimeUnit.MILLISECONDS.sleep(2);
        if (System.nanoTime() - start > Duration.ofMinutes(5).toNanos()) {
          throw new IllegalStateException("engine delivered only " + delivered(registry) + " of " + n + " in 5 minutes");
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      var claims = registry.find(EngineMetrics.CLAIM_LATENCY).timer();
      var batches = registry.find(EngineMetrics.CLAIM_BATCH).summary();
      if (claims != null && batches != null) {
        context.say("         %d claims, %.0f rows/claim, claim round trip mean %.1f ms, max %.1f ms", claims.count(),
            batches.mean(), claims.mean(TimeUnit.MILLISECONDS), claims.max(TimeUnit.MILLISECONDS));
      }
      return seconds;
    } finally {
      engine.stop(Duration.ofSeconds(10)).block(Duration.ofSeconds(30));
      database.close().block(Duration.ofSeconds(30));
      server.dropSchema(schema);
    }
  }

  private static double delivered(SimpleMeterRegistry registry) {
    return registry.find(EngineMetrics.DELIVERED).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /** A migrated schema with n pending deliveries spread over the endpoints, vacuumed and analyzed. */
  private static Database fresh(PostgresServer server, String schema, int n) throws Exception {
    server.dropSchema(schema);
    Database database = Database.connect(server.address().databaseConfig(schema, 10));
    database.migrate().block(Duration.ofMinutes(1));
    Registry.declare(database, endpoints()).block(Duration.ofSeconds(30));
    try (Connection c = server.connect(); Statement st = c.createStatement()) {
      EngineBench.publish(st, schema, n / ENDPOINTS, "jsonb_build_object('n', g, 'pad', repeat('x', 200))", null);
      EngineBench.vacuum(st, schema);
    }
    return database;
  }

  private static List<EndpointSpec> endpoints() {
    return IntStream.range(0, ENDPOINTS).mapToObj(i -> new EndpointSpec("ep" + i, List.of())).toList();
  }
}
