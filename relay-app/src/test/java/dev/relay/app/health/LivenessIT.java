package dev.relay.app.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.app.Http;
import dev.relay.app.InProcessRelay;
import dev.relay.app.PrometheusText;
import dev.relay.app.runtime.Relay;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/**
 * Issue 12, finding 1 (relay-app side): a pipeline that stopped while the relay is not shutting
 * down is neither ready nor live, and relay_ready is 0; never a silent 200.
 */
@ExtendWith(PostgresExtension.class)
class LivenessIT {

  @Test
  void aStoppedPipelineIsNotLiveNorReady(TestDatabase db) {
    Relay relay = InProcessRelay.start(db, "", d -> Mono.just(Outcome.delivered(200)));
    try {
      Http http = new Http(relay.baseUrl(), null);
      assertThat(http.get("/health/live").status()).isEqualTo(200);
      assertThat(http.get("/health/ready").status()).isEqualTo(200);

      // What the engine reports once its pipeline died: not running, and nobody asked it to stop.
      relay.engine().stop(Duration.ZERO).block(Duration.ofSeconds(10));

      Http.Response live = http.get("/health/live");
      assertThat(live.status()).isEqualTo(503);
      assertThat(live.json().get("status").asText()).isEqualTo("dead");
      assertThat(live.json().at("/checks/delivery/detail").asText()).startsWith("the delivery pipeline stopped: ");
      assertThat(http.get("/health/ready").status()).isEqualTo(503);
      assertThat(PrometheusText.sum(PrometheusText.parse(http.get("/metrics").body()), "relay_ready")).isZero();
    } finally {
      relay.stop().block(Duration.ofSeconds(30));
    }
  }
}
