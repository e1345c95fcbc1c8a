package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.db.Database;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class QueriesIT {
  private final TestDatabase db;

  QueriesIT(TestDatabase db) {
    this.db = db;
  }

  /**
   * A single-row query gives its connection back to the pool. It used to cancel its statement at
   * the first row, and a cancelled statement's connection is closed (it may be frozen): every call,
   * a relay.publish through the API included, cost a new connection and its backend process.
   */
  @Test
  void oneRowQueriesReuseThePooledConnections() {
    Database database = Database.connect(db.config(4));
    try {
      Set<Integer> backends = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        backends.add(database.queries().one("SELECT pg_backend_pid()", r -> r.get(0, Integer.class)).block(WAIT));
      }
      assertThat(backends).as("backends serving 20 calls, pool of 4").hasSizeBetween(1, 4);
      assertThat(database.queries().one("SELECT g FROM generate_series(1, 3) g", r -> r.get(0, Integer.class))
          .block(WAIT)).isEqualTo(1);
      assertThat(database.queries().one("SELECT 1 WHERE false", r -> 1).blockOptional(WAIT)).isEmpty();
    } finally {
      database.close().block(WAIT);
    }
  }
}
