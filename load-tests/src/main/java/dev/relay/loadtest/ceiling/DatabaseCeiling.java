package dev.relay.loadtest.ceiling;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.registry.Registry;
import dev.relay.loadtest.ledger.LatencyRecorder;
import dev.relay.loadtest.ledger.LatencySummary;
import dev.relay.loadtest.postgres.PostgresServer;
import dev.relay.loadtest.publish.Backlog;
import dev.relay.loadtest.publish.EventFactory;
import dev.relay.loadtest.publish.PublishProgress;
import dev.relay.loadtest.publish.Publisher;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * The database ceiling: a schema of its own (migrated by the engine, the run's endpoints synced),
 * filled through {@code publish()} with the run's events, vacuumed and analysed, then drained by
 * {@link ClaimSettleProcedures} inside Postgres. Relay needs at least these statements per
 * delivery, plus client round trips, so it cannot beat this serial loop by much (it can overlap
 * claims with settles on several connections).
 */
public final class DatabaseCeiling {
  private static final Duration SETUP_TIMEOUT = Duration.ofMinutes(2);
  private final PostgresServer server;
  private final String schema;
  private final List<String> endpoints;
  /** The relay instance the in-database loop claims as (registered by {@link #prepare()}). */
  private java.util.UUID instance = new java.util.UUID(0, 0);

  public DatabaseCeiling(PostgresServer server, String schema, List<String> endpoints) {
    this.server = server;
    this.schema = schema;
    this.endpoints = List.copyOf(endpoints);
  }

  /** Drains {@code n} of the run's events, {@code batch} per claim and at most {@code cap} per endpoint. */
  public Throughput drain(EventFactory events, long n, int cap, int batch) throws SQLException {
    Database database = prepare();
    try (Publisher publisher = Publisher.create(Publisher.Kind.JDBC, server.address(), schema, 2);
        Connection c = server.connect()) {
      Backlog.publish(publisher, events, n, 1000, 2, new PublishProgress()).block(SETUP_TIMEOUT);
      vacuum(c);
      ClaimSettleProcedures.Drained d = ClaimSettleProcedures.drain(c, database.sql(), instance, cap, batch);
      if (d.rows() != n) {
        throw new IllegalStateException("database ceiling drained " + d.rows() + " of " + n + " rows");
      }
      return Throughput.of(d.rows(), d.seconds(), "claim (batch " + batch + ", " + cap + " per endpoint) + settle "
          + "SQL looped inside Postgres, " + endpoints.size() + " endpoint(s)");
    } finally {
      dispose(database);
    }
  }

  /** Sequential one-row publish → claim → settle round trips inside Postgres: the database's part of latency. */
  public LatencySummary roundTrips(int rounds, String payload) throws SQLException {
    Database database = prepare();
    try (Connection c = server.connect()) {
      LatencyRecorder recorder = new LatencyRecorder();
      for (double micros : ClaimSettleProcedures.roundTrips(c, database.sql(), instance, rounds, payload)) {
        recorder.recordNanos(Math.round(micros * 1000));
      }
      return recorder.total();
    } finally {
      dispose(database);
    }
  }

  private Database prepare() throws SQLException {
    server.dropSchema(schema);
    Database database = Database.connect(server.address().databaseConfig(schema, 2));
    database.migrate().block(SETUP_TIMEOUT);
    // The in-database loop claims as a registered relay serving these endpoints would.
    Registry registry = new Registry(database, endpoints.stream().map(e -> new EndpointSpec(e, List.of())).toList(),
        "database ceiling");
    registry.register().block(SETUP_TIMEOUT);
    instance = registry.instance();
    return database;
  }

  private void vacuum(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("VACUUM ANALYZE " + schema + ".delivery");
      st.execute("VACUUM ANALYZE " + schema + ".message");
    }
  }

  private void dispose(Database database) throws SQLException {
    database.close().block(SETUP_TIMEOUT);
    server.dropSchema(schema);
  }
}
