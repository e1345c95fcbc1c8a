package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Publishing with a plain {@code INSERT INTO relay.message ... SELECT} (V14): the rows are checked
 * as relay.publish checks its arguments, all or nothing, routed, given their deliveries, and an idle
 * relay is woken; relay.publish and relay.publish_batch, which route their own rows, are left alone.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublishByInsertIT {
  private static final Duration NO_POLL = Duration.ofMinutes(10);
  private final TestDatabase db;
  private Database database;

  PublishByInsertIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeAll
  void migrate() {
    database = Relays.migrated(db);
  }

  @AfterAll
  void close() {
    database.close().block(WAIT);
  }

  @BeforeEach
  void clean() {
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint, {schema}.instance CASCADE");
    Relays.endpoints(database, new EndpointSpec("orders", List.of("order.*")), new EndpointSpec("audit", List.of()));
  }

  private long deliveries(String eventType) {
    return db.count("SELECT count(*) FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
        + "WHERE m.event_type = ?", eventType);
  }

  @Test
  void insertedRowsAreRoutedToEveryEndpointThatTakesTheirType() {
    db.execute("INSERT INTO {schema}.message (event_type, payload) "
        + "SELECT 'order.shipped', jsonb_build_object('n', g) FROM generate_series(1, 50) g");
    db.execute("INSERT INTO {schema}.message (event_type, payload) VALUES ('user.created', '{}')");

    assertThat(deliveries("order.shipped")).as("orders and audit, each").isEqualTo(100);
    assertThat(deliveries("user.created")).as("audit only").isEqualTo(1);
    assertThat(db.count("SELECT count(DISTINCT event_id) FROM {schema}.message WHERE event_id LIKE 'msg\\_%'"))
        .as("generated ids").isEqualTo(51);
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'pending' AND attempts = 0 "
        + "AND next_attempt_at <= now()")).as("due now").isEqualTo(101);
    assertThat(db.count("SELECT count(*) FROM {schema}.message WHERE unrouted")).isZero();
  }

  @Test
  void aRowNoEndpointTakesIsMarkedUnrouted() {
    db.execute("UPDATE {schema}.endpoint SET event_type_patterns = '{order.%}'");
    db.execute("INSERT INTO {schema}.message (event_type, payload, event_id) VALUES ('order.paid', '{}', 'o1'), "
        + "('nobody.listens', '{}', 'n1')");
    assertThat(db.count("SELECT count(*) FROM {schema}.message WHERE unrouted AND event_id = 'n1'")).isEqualTo(1);
    assertThat(db.count("SELECT count(*) FROM {schema}.message WHERE unrouted AND event_id = 'o1'")).isZero();
    assertThat(deliveries("order.paid")).isEqualTo(2);
  }

  @Test
  void aRowAddressedToAnEndpointGoesToItAlone() {
    db.execute("INSERT INTO {schema}.message (event_type, payload, target_endpoint) VALUES ('order.paid', '{}', 'audit')");
    assertThat(db.rows("SELECT endpoint FROM {schema}.delivery")).containsExactly(List.of("audit"));
  }

  @Test
  void aBadRowFailsTheWholeStatementWithRelayPublishsMessage() {
    assertThatThrownBy(() -> db.execute("INSERT INTO {schema}.message (event_type, payload, event_id) "
        + "SELECT 'order.paid', '{}'::jsonb, 'e' || g FROM generate_series(1, 5) g UNION ALL SELECT '', '{}', 'bad'"))
        .hasMessageContaining("relay.message insert: event bad: event_type must not be null or empty");
    assertThatThrownBy(() -> db.execute("INSERT INTO {schema}.message (event_type, payload, event_id) "
        + "VALUES ('order.paid', '{}', 'has space')"))
        .hasMessageContaining("relay.message insert: event has space: event_id must be 1-255 printable ASCII");
    assertThatThrownBy(() -> db.execute("INSERT INTO {schema}.message (event_type, payload, target_endpoint) "
        + "VALUES ('order.paid', '{}', 'nope')"))
        .hasMessageContaining("unknown endpoint \"nope\"");
    assertThatThrownBy(() -> db.execute("INSERT INTO {schema}.message (event_type, payload, traceparent) "
        + "VALUES ('order.paid', '{}', 'junk')"))
        .hasMessageContaining("traceparent is not a W3C traceparent");
    assertThatThrownBy(() -> db.execute("INSERT INTO {schema}.message (event_type, payload) "
        + "VALUES ('order.paid', to_jsonb(repeat('x', 300000)))"))
        .hasMessageContaining("over the limit of");
    assertThat(db.count("SELECT count(*) FROM {schema}.message")).as("nothing half-published").isZero();
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery")).isZero();
  }

  @Test
  void orderingAndSupersedeKeysNeedThePublishFunctions() {
    assertThatThrownBy(() -> db.execute("INSERT INTO {schema}.message (event_type, payload, ordering_key) "
        + "VALUES ('order.paid', '{}', 'order-1')"))
        .hasMessageContaining("ordering_key and supersede_key need relay.publish or relay.publish_batch");
    assertThatThrownBy(() -> db.execute("INSERT INTO {schema}.message (event_type, payload, supersede_key) "
        + "VALUES ('order.paid', '{}', 'order-1')"))
        .hasMessageContaining("ordering_key and supersede_key need relay.publish or relay.publish_batch");
  }

  @Test
  void anEventIdPublishedAgainIsSkippedWithOnConflict() {
    String insert = "INSERT INTO {schema}.message (event_type, payload, event_id) VALUES ('order.paid', '{}', 'once') "
        + "ON CONFLICT (event_id) DO NOTHING";
    db.execute(insert);
    db.execute(insert);
    assertThat(deliveries("order.paid")).isEqualTo(2);
  }

  @Test
  void thePublishFunctionsRowsAreNotRoutedTwice() {
    db.execute("SELECT {schema}.publish('order.paid', '{}')");
    db.execute("SELECT {schema}.publish_batch('[{\"event_type\": \"order.paid\", \"payload\": {}}, "
        + "{\"event_type\": \"order.paid\", \"payload\": {}}]')");
    assertThat(deliveries("order.paid")).as("3 messages, 2 endpoints each").isEqualTo(6);
  }

  @Test
  void aRowThatSetsUnroutedIsWrittenAroundRelayPublish() {
    db.execute("INSERT INTO {schema}.message (event_type, payload, unrouted) VALUES ('order.paid', '{}', false)");
    assertThat(deliveries("order.paid")).isZero();
  }

  @Test
  void anIdleRelayIsWokenAndDeliversWhatWasInserted() {
    var deliverer = RecordingDeliverer.succeeding();
    var config = Relays.fast().pollInterval(NO_POLL).pollIntervalWithoutNotify(NO_POLL).build();
    try (var relay = Relays.start(database, config, deliverer)) {
      // Idle for both endpoints: only a NOTIFY from the insert can wake it before the 10-minute poll.
      await().atMost(WAIT).until(() -> db.count("SELECT count(*) FROM {schema}.instance_endpoint WHERE NOT draining") == 2);
      db.execute("INSERT INTO {schema}.message (event_type, payload) "
          + "SELECT 'order.shipped', jsonb_build_object('n', g) FROM generate_series(1, 20) g");
      await().atMost(WAIT).until(() -> db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'") == 40);
      assertThat(deliverer.attempts()).hasSize(40);
    }
  }
}
