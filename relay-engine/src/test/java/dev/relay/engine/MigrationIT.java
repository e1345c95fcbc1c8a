package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.relay.engine.db.Database;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class MigrationIT {
  private final TestDatabase db;

  MigrationIT(TestDatabase db) {
    this.db = db;
  }

  /**
   * A migration that fails says why in one line: the script, and the database's own error with its
   * SQL state. Flyway's message has the reason only on later lines, which the one-line error report
   * of {@code relay run} and {@code relay migrate} dropped ("Failed to execute script ... ...").
   * Here V12 is applied by hand already but not recorded, as after an operator ran it manually.
   * (Later migrations replace functions only, so running them again succeeds.)
   */
  @Test
  void aFailedMigrationNamesTheScriptAndTheDatabaseError() {
    Database database = Relays.migrated(db);
    try {
      // Unrecorded from V12 on (a later migration recorded without V12 would fail validation instead).
      db.execute("DELETE FROM {schema}.relay_schema_history WHERE installed_rank >= "
          + "(SELECT installed_rank FROM {schema}.relay_schema_history WHERE version = '12')");
      Throwable error = catchThrowable(() -> database.migrate().block(WAIT));
      assertThat(error).isInstanceOf(IllegalStateException.class);
      assertThat(error.getMessage())
          .startsWith("Migrating schema " + db.schema() + " failed (")
          .contains("V12__lighter_publish.sql", "message_keep_referenced", "already exists", "(SQL state 42723)",
              "rolled back")
          .doesNotContain("\n");
      // Rolled back: the schema is as it was, and migrates once the cause is gone.
      db.execute("DROP TRIGGER message_keep_referenced ON {schema}.message");
      db.execute("DROP FUNCTION {schema}.message_keep_referenced()");
      database.migrate().block(WAIT);
      assertThat(db.count("SELECT count(*) FROM {schema}.relay_schema_history WHERE version = '12' AND success"))
          .isEqualTo(1);
    } finally {
      database.close().block(WAIT);
    }
  }
}
