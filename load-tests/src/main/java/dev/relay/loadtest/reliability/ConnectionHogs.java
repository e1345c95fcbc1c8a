package dev.relay.loadtest.reliability;

import dev.relay.loadtest.postgres.PostgresAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Other clients using up the database's connections: opens connections (as the superuser, so the
 * reserved slots go too) until Postgres refuses one, then gives back a few.
 */
final class ConnectionHogs implements AutoCloseable {
  /** Far above any max_connections a test server has; a guard against a server that never refuses. */
  private static final int MOST = 5_000;
  private final PostgresAddress address;
  private final Deque<Connection> held = new ArrayDeque<>();
  private String refusal = "";

  ConnectionHogs(PostgresAddress address) {
    this.address = address;
  }

  /** Takes every connection Postgres gives, then closes {@code leave} of them; how many are held. */
  int fill(int leave) {
    while (held.size() < MOST) {
      try {
        held.push(address.connect());
      } catch (SQLException e) {
        refusal = e.getMessage();
        break;
      }
    }
    for (int i = 0; i < leave && !held.isEmpty(); i++) {
      close(held.pop());
    }
    return held.size();
  }

  /** What Postgres said when it refused the next connection. */
  String refusal() {
    return refusal;
  }

  void release() {
    while (!held.isEmpty()) {
      close(held.pop());
    }
  }

  private static void close(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // going away anyway
    }
  }

  @Override
  public void close() {
    release();
  }
}
