package dev.relay.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.config.RetryPolicy;
import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SettlementsTest {
  private final Settlements settlements = new Settlements(new Backoff(
      new RetryPolicy(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1), 0.0, 3, Duration.ofMinutes(1)), () -> 0.5));

  private static Claimed claimed(int attempt) {
    return new Claimed(new Delivery(1, "e", "evt", "t", "{}", "application/json", null, attempt, Instant.EPOCH),
        UUID.randomUUID(), 0, 0);
  }

  /** What counts toward an endpoint's failure streak (auto-disable): attempts sent, not rows given back. */
  @Test
  void onlySentAttemptsJudgeTheReceiver() {
    assertThat(settlements.settle(claimed(1), Outcome.delivered(200)).receiverVerdict()).isTrue();
    assertThat(settlements.settle(claimed(1), Outcome.retry("HTTP 503", 503, null)).receiverVerdict()).isFalse();
    assertThat(settlements.settle(claimed(3), Outcome.retry("timed out")).receiverVerdict()).isFalse();
    assertThat(settlements.settle(claimed(1), Outcome.terminal("HTTP 400", 400)).receiverVerdict()).isFalse();
    assertThat(settlements.settle(claimed(1), Outcome.deferred("breaker open", Duration.ofSeconds(1)))
        .receiverVerdict()).isNull();
    assertThat(Settlements.handBack(claimed(1), Duration.ZERO).receiverVerdict()).isNull();
    Claimed undeliverable = new Claimed(claimed(1).delivery(), UUID.randomUUID(), 0, 0, "payload too large");
    assertThat(settlements.settle(undeliverable, Outcome.terminal("undeliverable: payload too large"))
        .receiverVerdict()).isNull();
  }

  @Test
  void deliveredRecordsTheStatus() {
    Settlement s = settlements.settle(claimed(1), Outcome.delivered(204));
    assertThat(s.state()).isEqualTo("delivered");
    assertThat(s.status()).isEqualTo(204);
    assertThat(s.error()).isNull();
  }

  @Test
  void retryBeforeTheLastAttemptReschedulesWithBackoff() {
    Settlement s = settlements.settle(claimed(2), Outcome.retry("HTTP 500", 500, null));
    assertThat(s.state()).isEqualTo("pending");
    assertThat(s.delayMillis()).isEqualTo(2000);
    assertThat(s.error()).isEqualTo("HTTP 500");
  }

  @Test
  void retryOnTheLastAttemptIsDeadAndSaysWhy() {
    Settlement s = settlements.settle(claimed(3), Outcome.retry("connection refused"));
    assertThat(s.state()).isEqualTo("dead");
    assertThat(s.error()).isEqualTo("gave up after 3 attempts: connection refused");
  }

  @Test
  void terminalIsDeadAtOnceAndGoneDisablesTheEndpoint() {
    assertThat(settlements.settle(claimed(1), Outcome.terminal("HTTP 400", 400)).disableEndpointReason()).isNull();
    Settlement gone = settlements.settle(claimed(1), Outcome.endpointGone("HTTP 410", 410));
    assertThat(gone.state()).isEqualTo("dead");
    assertThat(gone.disableEndpointReason()).isEqualTo("HTTP 410");
  }

  @Test
  void deferredIsPendingAgainWithoutCountingTheAttemptEvenOnTheLastOne() {
    Settlement s = settlements.settle(claimed(3), Outcome.deferred("not sent: rate limited", Duration.ofMillis(700)));
    assertThat(s.state()).isEqualTo("pending");
    assertThat(s.delayMillis()).isEqualTo(700);
    assertThat(s.refund()).isEqualTo(1);
    assertThat(settlements.settle(claimed(1), Outcome.deferred("x", Duration.ofDays(9))).delayMillis())
        .isEqualTo(Duration.ofMinutes(1).toMillis());
  }

  @Test
  void longErrorsAreTruncatedForTheRow() {
    Settlement s = settlements.settle(claimed(1), Outcome.terminal("x".repeat(5000)));
    assertThat(s.error()).hasSize(Settlements.MAX_ERROR_LENGTH);
  }

  @Test
  void retryAfterHoldsTheWholeEndpointForItsCappedDuration() {
    Settlement s = settlements.settle(claimed(1), Outcome.retry("HTTP 429", 429, Duration.ofSeconds(30)));
    assertThat(s.state()).isEqualTo("pending");
    assertThat(s.delayMillis()).isEqualTo(30_000);
    assertThat(s.holdMillis()).isEqualTo(30_000);
    assertThat(settlements.settle(claimed(1), Outcome.retry("HTTP 503", 503, Duration.ofHours(5))).holdMillis())
        .isEqualTo(Duration.ofMinutes(1).toMillis());
    assertThat(settlements.settle(claimed(1), Outcome.retry("HTTP 500", 500, null)).holdMillis()).isNull();
  }

  @Test
  void aHandBackIsDueAgainUnattemptedAndKeepsTheLastError() {
    Settlement s = Settlements.handBack(claimed(2), Duration.ofMillis(250));
    assertThat(s.state()).isEqualTo("pending");
    assertThat(s.delayMillis()).isEqualTo(250);
    assertThat(s.refund()).isEqualTo(1);
    assertThat(s.error()).as("null keeps the row's last error").isNull();
  }
}
