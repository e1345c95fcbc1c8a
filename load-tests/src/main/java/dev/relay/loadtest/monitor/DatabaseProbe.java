package dev.relay.loadtest.monitor;

import dev.relay.loadtest.postgres.PostgresServer;
import dev.relay.loadtest.postgres.TableStat;
import dev.relay.loadtest.postgres.TableStats;
import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * Backlog and dead tuples over one connection of its own; reconnects after an error and answers
 * -1 while the database is away (a run with a database outage keeps sampling).
 */
final class DatabaseProbe implements AutoCloseable {
  private final PostgresServer server;
  private final String schema;
  private @Nullable Connection connection;

  DatabaseProbe(PostgresServer server, String schema) {
    this.server = server;
    this.schema = schema;
  }

  long backlog() {
    try {
      return TableStats.backlog(connection(), schema);
    } catch (SQLException e) {
      reset();
      return -1;
    }
  }

  long deadTuples() {
    try {
      return TableStats.read(connection(), schema).stream().mapToLong(TableStat::deadTuples).sum();
    } catch (SQLException e) {
      reset();
      return -1;
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = server.connect();
    }
    return connection;
  }

  private void reset() {
    close();
  }

  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // already broken
      }
      connection = null;
    }
  }
}
