package dev.relay.loadtest.publish;

import dev.relay.loadtest.postgres.PostgresAddress;
import java.util.List;
import java.util.Locale;
import reactor.core.publisher.Mono;

/**
 * Publishes events through {@code <schema>.publish()}: one event per statement and transaction
 * (as an application would), or a list in one statement. Completes when committed.
 */
public interface Publisher extends AutoCloseable {
  Mono<Void> publish(List<OutboundEvent> events);

  /** What the report says about it, e.g. "jdbc, 4 connections". */
  String describe();

  @Override
  void close();

  enum Kind { JDBC, R2DBC }

  static Publisher create(Kind kind, PostgresAddress address, String schema, int connections) {
    return switch (kind) {
      case JDBC -> new JdbcPublisher(address, schema, connections);
      case R2DBC -> new R2dbcPublisher(address, schema, connections);
    };
  }

  static Kind kind(String name) {
    try {
      return Kind.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--publisher must be jdbc or r2dbc, was " + name);
    }
  }
}
