package dev.relay.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.app.RelayProcess;
import dev.relay.app.TestConfigs;
import dev.relay.app.VerifyingReceiver;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM during a burst: exit 0 within the grace period, nothing lost, the rest delivered after restart. */
@ExtendWith(PostgresExtension.class)
class GracefulShutdownIT {
  static final int EVENTS = 300;
  static final Duration GRACE = Duration.ofSeconds(10);

  @Test
  void sigtermDuringABurstExitsZeroAndLosesNothing(TestDatabase db, @TempDir Path dir) throws Exception {
    try (VerifyingReceiver receiver = new VerifyingReceiver(TestConfigs.SECRET, Duration.ofMillis(200))) {
      Path config = dir.resolve("relay.yaml");
      // A long lease: if unfinished rows were not released at shutdown, the restart could not
      // deliver them before it expires, and the await below would fail.
      Files.writeString(config, TestConfigs.database(db.config()) + """
          delivery:
            attempt-timeout: 5s
            lease: 60s
            poll-interval: 500ms
          admin:
            port: 0
          shutdown:
            grace-period: %ds
          endpoints:
            - name: burst
              url: %s
              secrets: ["${BURST_SECRET}"]
              max-in-flight: 8
              allow-http: true
              allowed-networks: [127.0.0.0/8]
          """.formatted(GRACE.toSeconds(), receiver.url("burst")));
      Map<String, String> env = Map.of("BURST_SECRET", TestConfigs.SECRET);

      try (RelayProcess first = RelayProcess.start(dir.resolve("first.log"), env, "run", "--config", config.toString())) {
        // the schema exists once the relay migrated it; then publish the burst in one transaction
        await().atMost(Duration.ofSeconds(60)).until(() -> first.output().contains("Relay started"));
        db.execute("SELECT {schema}.publish('invoice.burst', jsonb_build_object('n', g), NULL, 'burst-' || g) "
            + "FROM generate_series(1, " + EVENTS + ") g");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received("burst").size() >= 40);

        long start = System.nanoTime();
        int code = first.terminate(GRACE.plusSeconds(15));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(code).as(first.output()).isZero();
        assertThat(took).isLessThan(GRACE);
        assertThat(first.output()).contains("Relay stopped");
        assertThat(receiver.received("burst").size()).as("the burst was interrupted").isLessThan(EVENTS);
      }
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'pending'")).isPositive();
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery")).isEqualTo(EVENTS);

      try (RelayProcess second = RelayProcess.start(dir.resolve("second.log"), env, "run", "--config", config.toString())) {
        Set<String> all = IntStream.rangeClosed(1, EVENTS).mapToObj(i -> "burst-" + i).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(40)).until(() -> receiver.received("burst").containsAll(all));
        assertThat(second.terminate(GRACE.plusSeconds(15))).as(second.output()).isZero();
      }
      assertThat(receiver.badSignatures()).isZero();
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state <> 'delivered'")).isZero();
    }
  }
}
