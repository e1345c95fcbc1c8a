package dev.relay.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.config.RetryPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final RetryPolicy POLICY =
      new RetryPolicy(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30), 0.2, 10, Duration.ofMinutes(5));

  @Test
  void delaysGrowExponentiallyUpToTheCap() {
    Backoff noJitter = new Backoff(POLICY, () -> 0.5);
    assertThat(noJitter.delayAfter(1, null)).isEqualTo(Duration.ofSeconds(1));
    assertThat(noJitter.delayAfter(2, null)).isEqualTo(Duration.ofSeconds(2));
    assertThat(noJitter.delayAfter(5, null)).isEqualTo(Duration.ofSeconds(16));
    assertThat(noJitter.delayAfter(6, null)).isEqualTo(Duration.ofSeconds(30));
    assertThat(noJitter.delayAfter(60, null)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void jitterSpreadsWithinItsFractionAndNeverPassesTheCap() {
    assertThat(new Backoff(POLICY, () -> 0.0).delayAfter(3, null)).isEqualTo(Duration.ofMillis(3200));
    assertThat(new Backoff(POLICY, () -> 0.999999).delayAfter(3, null).toMillis()).isBetween(4790L, 4800L);
    assertThat(new Backoff(POLICY, () -> 0.999999).delayAfter(20, null)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void retryAfterLengthensButNeverShortensAndIsCapped() {
    Backoff backoff = new Backoff(POLICY, () -> 0.5);
    assertThat(backoff.delayAfter(1, Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
    assertThat(backoff.delayAfter(5, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(16));
    assertThat(backoff.delayAfter(1, Duration.ofDays(2))).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void attemptsAreExhaustedAtMaxAttempts() {
    Backoff backoff = new Backoff(POLICY, () -> 0.5);
    assertThat(backoff.exhausted(9)).isFalse();
    assertThat(backoff.exhausted(10)).isTrue();
  }
}
