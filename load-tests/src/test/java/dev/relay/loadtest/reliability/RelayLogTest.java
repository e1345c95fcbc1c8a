package dev.relay.loadtest.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RelayLogTest {
  @Test
  void theSameFailureWithOtherNumbersIsOneKindAndStackTracesAreNotEvents() {
    List<String> lines = List.of(
        "2026-12-03 00:50:36.852Z WARN  [reactor-tcp-epoll-1] DeliveryLoop - Claim failed (timeout after 5000 ms)",
        "2026-12-03 00:50:37.852Z WARN  [reactor-tcp-epoll-3] DeliveryLoop - Claim failed (timeout after 5001 ms) "
            + "(and 12 more like it since the last such line)",
        "\tat io.r2dbc.postgresql.ExceptionFactory.createException(ExceptionFactory.java:109)",
        "2026-12-03 00:50:38.000Z ERROR [parallel-1] DeliveryLoop - Gave up settling 7 deliveries");

    assertThat(RelayLog.kinds(lines)).containsExactly(
        java.util.Map.entry("ERROR DeliveryLoop - Gave up settling # deliveries", 1L),
        java.util.Map.entry("WARN  DeliveryLoop - Claim failed (timeout after # ms)", 2L));
  }
}
