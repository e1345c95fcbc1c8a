package dev.relay.loadtest.engine;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.registry.Registry;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** What the engine-level scenarios share: publishing a backlog, registering as a relay, vacuuming. */
final class EngineBench {
  private EngineBench() {}

  /**
   * Publishes {@code messages} events in one {@code relay.publish_batch} statement; {@code payload}
   * and {@code orderingKey} are SQL expressions over {@code g} (1..messages).
   */
  static void publish(Statement st, String schema, int messages, String payload, @Nullable String orderingKey)
      throws SQLException {
    st.execute("SELECT " + schema + ".publish_batch((SELECT jsonb_agg(jsonb_build_object("
        + "'event_id', 'b-' || g, 'event_type', 'bench.event', 'payload', " + payload
        + (orderingKey == null ? "" : ", 'ordering_key', " + orderingKey)
        + ") ORDER BY g) FROM generate_series(1, " + messages + ") g))");
  }

  static void vacuum(Statement st, String schema) throws SQLException {
    st.execute("VACUUM ANALYZE " + schema + ".delivery");
    st.execute("VACUUM ANALYZE " + schema + ".message");
  }

  /** Registers a relay instance serving {@code endpoints}, as the in-database loop claims. */
  static UUID register(Database database, List<EndpointSpec> endpoints) {
    Registry registry = new Registry(database, endpoints, "bench");
    registry.register().block(Duration.ofMinutes(2));
    return registry.instance();
  }
}
