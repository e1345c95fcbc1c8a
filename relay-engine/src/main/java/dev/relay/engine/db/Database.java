package dev.relay.engine.db;

import dev.relay.engine.config.DatabaseConfig;
import dev.relay.engine.config.DatabaseTls;
import dev.relay.engine.config.SslMode;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.client.SSLMode;
import io.r2dbc.spi.ValidationDepth;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The relay's connections to Postgres: a bounded R2DBC pool for claim, settle and admin work, a
 * separate unpooled factory for the LISTEN connection, and Flyway (JDBC) for migrations. All
 * three use {@link DatabaseConfig#tls()}.
 */
public final class Database {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  /**
   * Settings of the relay's own sessions (never the application's). The LISTEN connection gets
   * them too; LISTEN itself is instant. The relay runs short,
   * repeated statements: JIT compilation never pays off for them, and the claim's cost estimate
   * (a recursive walk) is high enough to trigger it (measured: 230 ms of JIT in a 9 ms claim).
   * Generic plans are planned once per connection instead of on every call (the claim's custom
   * plan took 30-40 ms to plan); ClaimPlanIT checks the claim's generic plan is index-only.
   */
  static Map<String, String> sessionSettings(DatabaseConfig config) {
    return Map.of(
        "idle_in_transaction_session_timeout", "60000",
        "jit", "off",
        "plan_cache_mode", "force_generic_plan",
        // Postgres cancels a statement the relay stopped waiting for (Queries drops its connection).
        "statement_timeout", String.valueOf(config.statementTimeout().toMillis()));
  }

  private final DatabaseConfig config;
  private final ConnectionPool pool;
  private final PostgresqlConnectionFactory unpooled;
  private final Sql sql;
  private final Queries queries;

  private Database(DatabaseConfig config) {
    this.config = config;
    this.unpooled = new PostgresqlConnectionFactory(connectionConfiguration(config));
    // Pitfall: initialSize == maxSize can pin every connection to one event loop; start small
    // and let the pool grow on demand.
    this.pool =
        new ConnectionPool(
            ConnectionPoolConfiguration.builder(unpooled)
                .name("relay")
                .initialSize(Math.min(2, config.poolSize()))
                .maxSize(config.poolSize())
                .minIdle(Math.min(2, config.poolSize()))
                .maxIdleTime(Duration.ofMinutes(10))
                // No maxAcquireTime: r2dbc-pool arms it as a Reactor timeout on the parallel
                // scheduler around every acquire, a timer queue insert and a cross-thread wakeup
                // per statement (measured: SELECT 1 through the pool after 5 ms idle, p50 531-659 us
                // with it, 265-425 us without). Every acquire goes through Queries.within, whose
                // statement deadline (on the timer wheel) covers waiting for a connection too.
                .maxCreateConnectionTime(config.connectTimeout())
                .acquireRetry(1)
                // No validationQuery: r2dbc-pool would run it on every acquire, a round trip per
                // statement. Local validation (is the socket open) is checked instead; a dead
                // connection fails its statement, which the loop retries.
                .validationDepth(ValidationDepth.LOCAL)
                .build());
    this.sql = new Sql(config.schema());
    this.queries = new Queries(pool, config.statementTimeout());
  }

  public static Database connect(DatabaseConfig config) {
    return new Database(config);
  }

  private static PostgresqlConnectionConfiguration connectionConfiguration(DatabaseConfig config) {
    PostgresqlConnectionConfiguration.Builder builder =
        PostgresqlConnectionConfiguration.builder()
            .host(config.host())
            .port(config.port())
            .database(config.database())
            .username(config.user())
            .applicationName("relay")
            .connectTimeout(config.connectTimeout())
            .tcpKeepAlive(true)
            .options(sessionSettings(config));
    if (config.password() != null) {
      builder.password(config.password());
    }
    DatabaseTls tls = config.tls();
    builder.sslMode(SSLMode.valueOf(tls.mode().name()));
    if (tls.mode() != SslMode.VERIFY_FULL) {
      // Netty 4.2 checks the host name by default; only verify-full asks for that (libpq semantics).
      builder.sslContextBuilderCustomizer(b -> b.endpointIdentificationAlgorithm(null));
    }
    if (tls.rootCert() != null) {
      builder.sslRootCert(tls.rootCert());
    }
    if (tls.cert() != null && tls.key() != null) {
      builder.sslCert(tls.cert()).sslKey(tls.key());
    }
    return builder.build();
  }

  /** Flyway's JDBC connections, with the same TLS settings as the R2DBC ones. */
  private static DataSource jdbcDataSource(DatabaseConfig config) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setServerNames(new String[] {config.host()});
    ds.setPortNumbers(new int[] {config.port()});
    ds.setDatabaseName(config.database());
    ds.setUser(config.user());
    ds.setPassword(config.password());
    ds.setApplicationName("relay");
    ds.setConnectTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
    DatabaseTls tls = config.tls();
    ds.setSslMode(tls.mode().text());
    ds.setSslRootCert(tls.rootCert());
    if (tls.cert() != null && tls.key() != null) {
      ds.setSslCert(tls.cert());
      ds.setSslKey(JdbcKeys.der(tls.key()));
    }
    return ds;
  }

  public DatabaseConfig config() {
    return config;
  }

  /** The pool for claim, settle and admin statements. */
  public ConnectionPool pool() {
    return pool;
  }

  public Sql sql() {
    return sql;
  }

  public Queries queries() {
    return queries;
  }

  /** A fresh connection outside the pool, for LISTEN. The caller closes it. */
  public Mono<PostgresqlConnection> dedicatedConnection() {
    return unpooled.create();
  }

  /**
   * Applies the schema migrations. Flyway takes a Postgres advisory lock, so several relays
   * starting together migrate once. Runs JDBC on a bounded-elastic thread, never an event loop.
   */
  public Mono<Void> migrate() {
    return Mono.fromCallable(this::migrateBlocking).subscribeOn(Schedulers.boundedElastic()).then();
  }

  private MigrateResult migrateBlocking() {
    Flyway flyway =
        Flyway.configure()
            .dataSource(jdbcDataSource(config))
            .schemas(config.schema())
            .defaultSchema(config.schema())
            .createSchemas(true)
            .placeholders(Map.of("schema", config.schema()))
            .locations("classpath:dev/relay/engine/db/migration")
            .table("relay_schema_history")
            .load();
    MigrateResult result;
    try {
      result = flyway.migrate();
    } catch (FlywayException e) {
      throw migrationFailed(config.schema(), e);
    }
    log.info("Schema {} at version {} ({} migrations applied now)", config.schema(),
        result.targetSchemaVersion == null ? result.initialSchemaVersion : result.targetSchemaVersion,
        result.migrationsExecuted);
    return result;
  }

  /** The line of a failed script, as Flyway's message gives it ("Line       : 20"). */
  private static final Pattern SCRIPT_LINE = Pattern.compile("(?m)^Line\\s*:\\s*(\\d+)");

  /**
   * A failed migration as one line that names the database's reason. Flyway's own message puts it
   * on later lines (after "Failed to execute script V12__x.sql"), which a one-line error report
   * drops, leaving the operator without the cause (a missing privilege, a lock timeout, an object
   * changed by hand).
   */
  static IllegalStateException migrationFailed(String schema, FlywayException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
    String first = message.lines().findFirst().orElse(message);
    SQLException sql = null;
    for (Throwable t = e; t != null && sql == null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s) {
        sql = s;
      }
    }
    String reason = "";
    if (sql != null && sql.getMessage() != null) {
      reason = ": " + sql.getMessage().strip().lines().findFirst().orElse("")
          + (sql.getSQLState() == null ? "" : " (SQL state " + sql.getSQLState() + ")");
    }
    Matcher line = SCRIPT_LINE.matcher(message);
    String at = line.find() ? ", line " + line.group(1) : "";
    return new IllegalStateException("Migrating schema " + schema + " failed (" + first + at + ")" + reason
        + "; a failed migration is rolled back, so the schema is as it was before", e);
  }

  /**
   * Wakes every relay on this schema (a NOTIFY on the wakeup channel), after an operator made rows
   * due: a resume, a replay. Rare, so the NOTIFY's commit cost does not matter here.
   */
  public Mono<Void> notifyRelays() {
    return queries.query("SELECT pg_notify($1, '')", row -> true, sql.wakeupChannel()).then();
  }

  /** Completes when a pooled connection answers {@code SELECT 1}, within the statement timeout. */
  public Mono<Void> ping() {
    return queries.one("SELECT 1", row -> true).then();
  }

  public Mono<Void> close() {
    // reactor-pool 1.2 can count a connection that is released while the pool is being disposed
    // twice and then fails the dispose ("Too many permits returned"); the connections are closed
    // either way, so that is not worth failing a stop over.
    return pool.disposeLater().onErrorResume(IllegalArgumentException.class, e -> {
      log.debug("Closing the connection pool: {}", e.toString());
      return Mono.empty();
    });
  }
}
