package dev.relay.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.app.TestConfigs;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The database commands against a real Postgres, as an operator would run them (no relay running). */
@ExtendWith(PostgresExtension.class)
class CliIT {
  private TestDatabase db;

  @org.junit.jupiter.api.BeforeEach
  void remember(TestDatabase db) {
    this.db = db;
  }

  @Test
  void runRefusesAnUnmigratedSchemaWhenMigrationIsOff(TestDatabase db) {
    dev.relay.app.config.RelayConfig config = TestConfigs.parse(TestConfigs.database(db.config().withSchema(db.schema() + "_x"))
        + "  migrate: false\nadmin:\n  port: 0\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.relay.app.runtime.Relay
            .start(config, (c, r, s) -> () -> d -> reactor.core.publisher.Mono.never()).block(java.time.Duration.ofSeconds(30)))
        .hasMessageContaining("is not migrated").hasMessageContaining("relay migrate");
  }

  @Test
  void migratePublishAndManageDeadLetters(TestDatabase db, @TempDir Path dir) throws IOException {
    Path config = dir.resolve("relay.yaml");
    Files.writeString(config, TestConfigs.database(db.config()));
    String cfg = config.toString();

    CliTest.Result migrate = CliTest.run("migrate", "--config", cfg);
    assertThat(migrate.code()).as(migrate.err()).isZero();
    assertThat(migrate.out()).contains("schema " + db.schema() + " is up to date");

    db.execute("INSERT INTO {schema}.endpoint (name, event_types, event_type_patterns) VALUES ('billing', '{}', '{}')");
    CliTest.Result published = CliTest.run("publish", "-c", cfg, "--type", "invoice.paid", "--payload", "{\"id\": 1}",
        "--event-id", "cli-1");
    assertThat(published.code()).as(published.err()).isZero();
    assertThat(published.out()).startsWith("published message ");
    assertThat(CliTest.run("publish", "-c", cfg, "--type", "x", "--payload", "{not json").code()).isEqualTo(ExitCodes.USAGE);
    CliTest.Result unknown = CliTest.run("publish", "-c", cfg, "--type", "x", "--payload", "{}", "--endpoint", "nope");
    assertThat(unknown.code()).isEqualTo(ExitCodes.FAILURE);
    assertThat(unknown.err()).contains("unknown endpoint");

    kill("cli-1");
    CliTest.Result list = CliTest.run("dead-letters", "list", "-c", cfg, "--endpoint", "billing");
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out()).contains("cli-1").contains("receiver said no").contains("1 dead letter(s)");
    assertThat(CliTest.run("dead-letters", "list", "-c", cfg, "--json").out()).contains("\"event_id\":\"cli-1\"");

    CliTest.Result replay = CliTest.run("dead-letters", "replay", "-c", cfg, "--event-type", "invoice.paid");
    assertThat(replay.out()).contains("replayed 1 dead letter(s)");
    assertThat(state("cli-1")).isEqualTo("pending");

    kill("cli-1");
    long id = ((Number) db.scalar("SELECT d.id FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
        + "WHERE m.event_id = 'cli-1'")).longValue();
    CliTest.Result discard = CliTest.run("dead-letters", "discard", "-c", cfg, "--id", String.valueOf(id));
    assertThat(discard.out()).contains("discarded 1 dead letter(s)");
    assertThat(state("cli-1")).isEqualTo("discarded");

    // --supersede-key: the second publish supersedes the first (no relay runs here).
    for (String eventId : new String[] {"cli-s1", "cli-s2"}) {
      CliTest.Result latest = CliTest.run("publish", "-c", cfg, "--type", "invoice.latest", "--payload", "{}",
          "--event-id", eventId, "--supersede-key", "invoice-7");
      assertThat(latest.code()).as(latest.err()).isZero();
    }
    assertThat(state("cli-s1")).isEqualTo("superseded");
    assertThat(state("cli-s2")).isEqualTo("pending");
  }

  @Test
  void historyShowsAMessageADeliveryAndAnEndpointsFailures(TestDatabase db, @TempDir Path dir) throws IOException {
    Path config = dir.resolve("relay.yaml");
    Files.writeString(config, TestConfigs.database(db.config()));
    String cfg = config.toString();
    assertThat(CliTest.run("migrate", "--config", cfg).code()).isZero();
    // Takes only order.* (the other test's invoice.paid must not reach it).
    db.execute("INSERT INTO {schema}.endpoint (name, event_types, event_type_patterns) "
        + "VALUES ('shop', '{order.*}', '{order.%}') ON CONFLICT DO NOTHING");
    db.execute("SELECT {schema}.publish('order.paid', '{}'::jsonb, event_id => 'cli-h', endpoint => 'shop')");
    long id = ((Number) db.scalar("SELECT d.id FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
        + "WHERE m.event_id = 'cli-h'")).longValue();
    // What two settles would have written: a 503, then a 200.
    db.execute("INSERT INTO {schema}.attempt (delivery_id, attempt, endpoint, instance_id, started_at, duration_ms, "
        + "status, error, response_excerpt) VALUES "
        + "(?, 1, 'shop', gen_random_uuid(), now(), 31, 503, 'HTTP 503 Service Unavailable', 'later'), "
        + "(?, 2, 'shop', gen_random_uuid(), now(), 12, 200, NULL, 'ok')", id, id);

    CliTest.Result message = CliTest.run("history", "message", "-c", cfg, "cli-h");
    assertThat(message.code()).as(message.err()).isZero();
    assertThat(message.out()).contains("event cli-h (order.paid)").contains("to shop")
        .contains("HTTP 503 Service Unavailable").contains(" 200 ");
    CliTest.Result delivery = CliTest.run("history", "delivery", "-c", cfg, "--json", String.valueOf(id));
    assertThat(delivery.code()).as(delivery.err()).isZero();
    assertThat(delivery.out().lines()).hasSize(2);
    assertThat(delivery.out()).contains("\"response_excerpt\":\"later\"");
    CliTest.Result failures = CliTest.run("history", "failures", "-c", cfg, "shop");
    assertThat(failures.out()).contains("HTTP 503").contains("1 failed attempt(s)");

    assertThat(CliTest.run("history", "message", "-c", cfg, "no-such-event").code()).isEqualTo(ExitCodes.FAILURE);
    assertThat(CliTest.run("history", "delivery", "-c", cfg, "99999999").code()).isEqualTo(ExitCodes.FAILURE);
    assertThat(CliTest.run("history", "failures", "-c", cfg, "--limit", "0", "shop").code()).isEqualTo(ExitCodes.USAGE);
  }

  private void kill(String eventId) {
    db.execute("UPDATE {schema}.delivery d SET state = 'dead', attempts = 12, settled_at = now(), "
        + "last_error = 'receiver said no' FROM {schema}.message m WHERE m.id = d.message_id AND m.event_id = ?", eventId);
  }

  private Object state(String eventId) {
    return db.scalar("SELECT d.state FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
        + "WHERE m.event_id = ?", eventId);
  }

}
