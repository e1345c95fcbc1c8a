package dev.relay.loadtest;

import dev.relay.engine.RelayEngine;
import dev.relay.engine.config.DatabaseConfig;
import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.registry.Registry;
import dev.relay.engine.spi.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Engine throughput against the database's own ceiling, on the same Postgres in the same run.
 *
 * <ol>
 *   <li>Ceiling: a Postgres procedure drains N pending deliveries with exactly the engine's claim
 *       and settle statements (batches of 100, a commit after each), no Java in the loop.
 *   <li>Engine: N pre-published deliveries drained by the real engine with a no-op deliverer,
 *       timed from start until the last settle; for a few claim-batch / in-flight settings.
 * </ol>
 *
 * Run: {@code ./mvnw -q install -DskipTests && ./mvnw -q -pl load-tests exec:java}
 * ({@code -Dexec.args="50000"} sets N). Uses embedded Postgres 17 with default durability
 * settings, or {@code RELAY_BENCH_DATABASE_URL} (postgresql://user:pass@host:port/db).
 */
public final class EngineThroughput {
  private static final int ENDPOINTS = 4;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    try (Server server = Server.start()) {
      System.out.printf("Postgres: %s; %d deliveries across %d endpoints; %d cores%n",
          server.describe(), n, ENDPOINTS, Runtime.getRuntime().availableProcessors());

      double ceiling = ceiling(server, n, 100);
      System.out.printf("CEILING  claim+settle SQL in a Postgres procedure, batch 100: %,.0f deliveries/s%n", ceiling);

      int[][] settings = {{100, 256}, {100, 1000}, {250, 1000}, {500, 2000}};
      double best = 0;
      for (int[] s : settings) {
        double rate = engine(server, n, s[0], s[1]);
        best = Math.max(best, rate);
        System.out.printf("ENGINE   claim batch %d, max in flight %d: %,.0f deliveries/s (%.0f%% of ceiling)%n",
            s[0], s[1], rate, 100 * rate / ceiling);
      }
      System.out.printf("RESULT   best engine %,.0f deliveries/s = %.0f%% of the %,.0f/s ceiling (target >= 50%%)%n",
          best, 100 * best / ceiling, ceiling);
    }
  }

  /** Drains n pending rows in-database with the engine's own statements; deliveries/s. */
  static double ceiling(Server server, int n, int batch) throws Exception {
    Database database = fresh(server, "bench_ceiling", n);
    String claim = database.sql().claim();
    String settle = database.sql().settle();
    try (Connection c = server.jdbc(); Statement st = c.createStatement()) {
      st.execute("""
          CREATE OR REPLACE PROCEDURE bench_ceiling.drain(claim_sql text, settle_sql text, batch int, instance uuid,
                                                          INOUT total bigint,
                                                          INOUT seconds double precision)
          LANGUAGE plpgsql AS $$
          DECLARE
            ids bigint[];
            tok uuid;
            n int;
            t0 timestamptz := clock_timestamp();
          BEGIN
            total := 0;
            LOOP
              tok := gen_random_uuid();
              EXECUTE 'WITH c AS (' || claim_sql || ') SELECT array_agg(id) FROM c'
                INTO ids USING 60000::bigint, tok, instance, '{}'::text[], '{}'::int[], '{}'::text[], batch, batch,
                               ''::text, NULL::text[];
              n := coalesce(cardinality(ids), 0);
              EXIT WHEN n = 0;
              COMMIT;
              EXECUTE 'WITH s AS (' || settle_sql || ') SELECT count(*) FROM s'
                USING ids, array_fill(tok, ARRAY[n]), array_fill('delivered'::text, ARRAY[n]),
                      array_fill(0::bigint, ARRAY[n]), array_fill(200, ARRAY[n]), array_fill(NULL::text, ARRAY[n]),
                      array_fill(0, ARRAY[n]), array_fill(NULL::text, ARRAY[n]), array_fill(NULL::bigint, ARRAY[n]),
                      array_fill(NULL::text, ARRAY[n]);
              COMMIT;
              total := total + n;
            END LOOP;
            seconds := extract(epoch FROM clock_timestamp() - t0);
          END $$""");
      UUID instance = register(database);
      try (ResultSet rs = st.executeQuery("CALL bench_ceiling.drain(" + quote(claim) + ", " + quote(settle) + ", "
          + batch + ", '" + instance + "', 0, 0)")) {
        rs.next();
        long total = rs.getLong(1);
        double seconds = rs.getDouble(2);
        if (total != n) {
          throw new IllegalStateException("ceiling drained " + total + " of " + n);
        }
        return total / seconds;
      }
    } finally {
      database.close().block(Duration.ofSeconds(30));
    }
  }

  /** Drains n pre-published deliveries with the real engine and a no-op deliverer; deliveries/s. */
  static double engine(Server server, int n, int claimBatch, int maxInFlight) throws Exception {
    Database database = fresh(server, "bench_engine", n);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EngineConfig config = EngineConfig.builder()
        .claimBatchSize(claimBatch)
        .maxInFlight(maxInFlight)
        .endpointMaxInFlight(maxInFlight)
        .settleBatchSize(claimBatch)
        .build();
    RelayEngine engine = RelayEngine.create(database, config, endpoints(), d -> Mono.just(Outcome.delivered(200)),
        registry);
    long start = System.nanoTime();
    engine.start().block(Duration.ofSeconds(30));
    while (delivered(registry) < n) {
      Thread.sleep(2);
      if (System.nanoTime() - start > Duration.ofMinutes(5).toNanos()) {
        throw new IllegalStateException("engine delivered only " + delivered(registry) + " of " + n + " in 5 minutes");
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    var claims = registry.find(EngineMetrics.CLAIM_LATENCY).timer();
    var batches = registry.find(EngineMetrics.CLAIM_BATCH).summary();
    System.out.printf("         %d claims, %.0f rows/claim, claim round trip mean %.1f ms, max %.1f ms%n",
        claims.count(), batches.mean(), claims.mean(java.util.concurrent.TimeUnit.MILLISECONDS),
        claims.max(java.util.concurrent.TimeUnit.MILLISECONDS));
    engine.stop(Duration.ofSeconds(10)).block(Duration.ofSeconds(30));
    database.close().block(Duration.ofSeconds(30));
    return n / seconds;
  }

  private static double delivered(SimpleMeterRegistry registry) {
    return registry.find(EngineMetrics.DELIVERED).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /** A migrated schema with n pending deliveries spread over the endpoints, vacuumed and analyzed. */
  private static Database fresh(Server server, String schema, int n) throws Exception {
    try (Connection c = server.jdbc(); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
    Database database = Database.connect(server.config(schema));
    database.migrate().block(Duration.ofMinutes(1));
    Registry.declare(database, endpoints()).block(Duration.ofSeconds(30));
    int messages = n / ENDPOINTS;
    try (Connection c = server.jdbc(); Statement st = c.createStatement()) {
      st.execute("SELECT " + schema + ".publish_batch((SELECT jsonb_agg(jsonb_build_object('event_id', 'b-' || g, "
          + "'event_type', 'bench.event', 'payload', jsonb_build_object('n', g, 'pad', repeat('x', 200)))) "
          + "FROM generate_series(1, " + messages + ") g))");
      st.execute("VACUUM ANALYZE " + schema + ".delivery");
      st.execute("VACUUM ANALYZE " + schema + ".message");
    }
    return database;
  }

  private static List<EndpointSpec> endpoints() {
    return java.util.stream.IntStream.range(0, ENDPOINTS).mapToObj(i -> new EndpointSpec("ep" + i, List.of())).toList();
  }

  /** Registers a relay instance serving the endpoints, for the in-database loop's claims. */
  private static UUID register(Database database) {
    Registry registry = new Registry(database, endpoints(), "ceiling");
    registry.register().block(Duration.ofSeconds(30));
    return registry.instance();
  }

  private static String quote(String sql) {
    return "'" + sql.replace("'", "''") + "'";
  }

  /** Embedded Postgres (default durability settings), or RELAY_BENCH_DATABASE_URL. */
  record Server(String host, int port, String database, String user, String password,
      EmbeddedPostgres embedded) implements AutoCloseable {
    static Server start() throws Exception {
      String url = System.getenv("RELAY_BENCH_DATABASE_URL");
      if (url != null && !url.isBlank()) {
        java.net.URI uri = java.net.URI.create(url.replaceFirst("^postgres://", "postgresql://"));
        String[] userInfo = (uri.getUserInfo() == null ? "postgres:" : uri.getUserInfo()).split(":", 2);
        return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), uri.getPath().substring(1),
            userInfo[0], userInfo.length > 1 ? userInfo[1] : "", null);
      }
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setServerConfig("shared_buffers", "512MB")
          .setServerConfig("max_connections", "100")
          .start();
      return new Server("localhost", pg.getPort(), "postgres", "postgres", "postgres", pg);
    }

    String describe() {
      return embedded != null ? "embedded 17 on port " + port : host + ":" + port + "/" + database;
    }

    DatabaseConfig config(String schema) {
      return new DatabaseConfig("postgresql://" + host + ":" + port + "/" + database, user, password, schema, 10,
          Duration.ofSeconds(10));
    }

    Connection jdbc() throws Exception {
      return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, user, password);
    }

    @Override
    public void close() throws Exception {
      if (embedded != null) {
        embedded.close();
      }
    }
  }
}
