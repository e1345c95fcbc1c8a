package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import reactor.core.publisher.Mono;

/**
 * A publish issues NOTIFY (and takes Postgres' commit-order lock) only when a relay serving one
 * of its endpoints is idle for it. The race between a relay falling idle and a publish committing
 * is played step by step: no event waits for the poll (10 minutes here).
 */
@ExtendWith(PostgresExtension.class)
class QuietPublishIT {
  private static final Duration NO_POLL = Duration.ofMinutes(10);
  private final TestDatabase db;
  private Database database;

  QuietPublishIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void setUp() {
    database = Relays.migrated(db);
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint, {schema}.instance CASCADE");
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
  }

  @AfterEach
  void tearDown() {
    database.close().block(WAIT);
  }

  private boolean draining() {
    return Boolean.TRUE.equals(db.scalar("SELECT bool_or(draining) FROM {schema}.instance_endpoint WHERE endpoint = 'e'"));
  }

  private long delivered() {
    return db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'");
  }

  /** A connection that LISTENs on the relay's channel, to count the notifications publishes send. */
  private Connection listener() throws Exception {
    Connection c = db.jdbc();
    try (Statement s = c.createStatement()) {
      s.execute("LISTEN \"" + db.schema() + "_wakeup\"");
    }
    return c;
  }

  private static int notifications(Connection listener) throws Exception {
    PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(200);
    return got == null ? 0 : got.length;
  }

  @Test
  void noRelayRunningMeansNoNotify() throws Exception {
    try (Connection listener = listener()) {
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb)");
      assertThat(notifications(listener)).isZero();
    }
  }

  @Test
  void publishesNotifyAnIdleRelayAndSkipNotifyWhileItDrainsTheEndpoint() throws Exception {
    // Slow enough that the backlog below lasts seconds, far longer than the publishes made meanwhile.
    var deliverer = new RecordingDeliverer(d -> Mono.delay(Duration.ofMillis(d.payload().contains("\"n\"") ? 200 : 5))
        .thenReturn(Outcome.delivered(200)));
    var config = Relays.fast().pollInterval(NO_POLL).pollIntervalWithoutNotify(NO_POLL).endpointMaxInFlight(1).build();
    try (var relay = Relays.start(database, config, deliverer); Connection listener = listener()) {
      await().atMost(WAIT).until(() -> relay.engine().health().mode().equals("listen"));
      notifications(listener); // the self-test's
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb)");
      await().atMost(WAIT).until(() -> delivered() == 1);
      assertThat(notifications(listener)).as("the relay was idle: woken by NOTIFY").isEqualTo(1);
      // It lingers a few ms for more, then falls idle again (and stays so).
      await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !draining());
      notifications(listener);

      // A backlog keeps the relay draining e; publishes meanwhile do not notify.
      db.execute("SELECT {schema}.publish('t', jsonb_build_object('n', g)) FROM generate_series(1, 30) g");
      await().atMost(WAIT).until(this::draining);
      int quiet = 0;
      for (int i = 0; i < 20 && draining(); i++) {
        db.execute("SELECT {schema}.publish('t', '{}'::jsonb)");
        quiet++;
      }
      long expected = 31 + quiet;
      await().atMost(WAIT).until(() -> delivered() == expected);
      assertThat(notifications(listener)).as("one for the backlog statement, none while draining").isEqualTo(1);
      await().atMost(WAIT).until(() -> !draining());
    }
  }

  @Test
  void aSteadyTrickleKeepsTheRelayAwakeSoPublishesStopNotifying() throws Exception {
    var deliverer = new RecordingDeliverer(d -> Mono.just(Outcome.delivered(200)));
    var config = Relays.fast().pollInterval(NO_POLL).pollIntervalWithoutNotify(NO_POLL).build();
    try (var relay = Relays.start(database, config, deliverer); Connection listener = listener();
        Connection publisher = db.jdbc();
        PreparedStatement publish = publisher.prepareStatement(db.resolve("SELECT {schema}.publish('t', '{}'::jsonb)"))) {
      await().atMost(WAIT).until(() -> relay.engine().health().mode().equals("listen"));
      await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !draining());
      notifications(listener);
      // One event about every 9 ms, within the 16 ms a lane lingers: each is delivered long before
      // the next, so without lingering the relay falls idle between them and most publishes NOTIFY
      // (63 of 200 in a run with lingering off, 4 with it).
      int published = 200;
      for (int i = 0; i < published; i++) {
        publish.execute();
        Thread.sleep(8);
      }
      await().atMost(WAIT).until(() -> delivered() == published);
      int notified = notifications(listener);
      assertThat(notified).as("the first wakes the relay; it keeps claiming while they come (%d NOTIFYs)", notified)
          .isLessThan(published / 4);
    }
  }

  /**
   * Plays the race: the publisher inserts while the relay drains e (its fan-out sees the mark and
   * skips NOTIFY), the relay runs out of work and clears the mark, then the publisher commits
   * {@code commitAfter} later. Returns the racer's state a while later and the notifications seen.
   */
  private void race(Duration poll, Duration commitAfter, Duration deliveredWithin) throws Exception {
    var deliverer = new RecordingDeliverer(d -> Mono.delay(Duration.ofMillis(10)).thenReturn(Outcome.delivered(200)));
    var config = Relays.fast().pollInterval(poll).pollIntervalWithoutNotify(poll).endpointMaxInFlight(1).build();
    try (var relay = Relays.start(database, config, deliverer); Connection listener = listener();
        Connection publisher = db.jdbc()) {
      await().atMost(WAIT).until(() -> relay.engine().health().mode().equals("listen"));
      db.execute("SELECT {schema}.publish('t', jsonb_build_object('n', g)) FROM generate_series(1, 50) g");
      await().atMost(WAIT).until(this::draining);
      notifications(listener);

      publisher.setAutoCommit(false);
      try (PreparedStatement ps = publisher.prepareStatement(db.resolve(
          "SELECT {schema}.publish('t', '{\"racer\": true}'::jsonb, event_id => 'racer')"))) {
        ps.execute();
      }
      // The relay drains the rest, clears the mark and probes: the racer is not committed yet.
      await().atMost(WAIT).until(() -> delivered() == 50 && !draining());
      Thread.sleep(commitAfter.toMillis());
      publisher.commit();
      assertThat(notifications(listener)).as("the racer's fan-out saw the mark: no NOTIFY").isZero();

      await().atMost(deliveredWithin).until(() ->
          "delivered".equals(db.scalar("SELECT d.state FROM {schema}.delivery d JOIN {schema}.message m "
              + "ON m.id = d.message_id WHERE m.event_id = 'racer'")));
    }
  }

  @Test
  void aPublishCommittingJustAfterTheRelayFellIdleIsFoundByALateProbeNotThePoll() throws Exception {
    race(NO_POLL, Duration.ZERO, Duration.ofSeconds(10));
  }

  @Test
  void aPublishCommittingLongAfterTheRelayFellIdleWaitsAtMostThePoll() throws Exception {
    race(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofSeconds(10));
  }
}
