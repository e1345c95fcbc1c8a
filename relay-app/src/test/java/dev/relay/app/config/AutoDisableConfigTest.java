package dev.relay.app.config;

import static dev.relay.app.config.ConfigLoaderTest.DB;
import static dev.relay.app.config.ConfigLoaderTest.parse;
import static dev.relay.app.config.ConfigLoaderTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.config.AutoDisablePolicy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code delivery.auto-disable}: defaults, overrides, turning it off, and clear refusals. */
class AutoDisableConfigTest {

  private static AutoDisablePolicy policy(String yaml) {
    return parse(DB + yaml, Map.of()).delivery().autoDisable();
  }

  @Test
  void defaultsToFiveDaysAndTwentyFailedAttempts() {
    AutoDisablePolicy p = policy("");
    assertThat(p.enabled()).isTrue();
    assertThat(p.after()).isEqualTo(Duration.ofDays(5));
    assertThat(p.minFailedAttempts()).isEqualTo(20);
    assertThat(p.afterMillis()).isEqualTo(Duration.ofDays(5).toMillis());
  }

  @Test
  void windowAndMinimumAreConfigurable() {
    AutoDisablePolicy p = policy("delivery:\n  auto-disable:\n    after: 36h\n    min-failed-attempts: 50\n");
    assertThat(p.after()).isEqualTo(Duration.ofHours(36));
    assertThat(p.minFailedAttempts()).isEqualTo(50);
  }

  @Test
  void environmentVariablesSetTheKeys() {
    AutoDisablePolicy p = parse(DB, Map.of("RELAY_DELIVERY_AUTO_DISABLE_AFTER", "2d",
        "RELAY_DELIVERY_AUTO_DISABLE_MIN_FAILED_ATTEMPTS", "7")).delivery().autoDisable();
    assertThat(p.after()).isEqualTo(Duration.ofDays(2));
    assertThat(p.minFailedAttempts()).isEqualTo(7);
  }

  @Test
  void enabledFalseTurnsItOff() {
    AutoDisablePolicy p = policy("delivery:\n  auto-disable: {enabled: false}\n");
    assertThat(p.enabled()).isFalse();
    assertThat(p.afterMillis()).isNull();
  }

  @Test
  void badValuesNameTheirKey() {
    assertThat(problems(DB + "delivery:\n  auto-disable: {after: 10m, min-failed-attempts: 0}\n"))
        .extracting(ConfigProblem::toString).containsExactly(
            "delivery.auto-disable.after: must be at least 1h: a short outage must not disable an endpoint "
                + "(set enabled: false to turn automatic disabling off)",
            "delivery.auto-disable.min-failed-attempts: must be at least 1, was '0'");
    assertThat(problems(DB + "delivery:\n  auto-disable: {after: 400d}\n")).singleElement().asString()
        .isEqualTo("delivery.auto-disable.after: must be at most 365d");
    assertThat(problems(DB + "delivery:\n  auto-disable: {after: soon}\n")).singleElement().asString()
        .startsWith("delivery.auto-disable.after: must be a duration with a unit");
    assertThat(problems(DB + "delivery:\n  auto-disable: {enabled: maybe}\n")).singleElement().asString()
        .startsWith("delivery.auto-disable.enabled:");
  }

  @Test
  void theEngineRecordRefusesANegativeWindow() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AutoDisablePolicy(Duration.ofHours(-1), 20))
        .hasMessageContaining("delivery.auto-disable.after");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AutoDisablePolicy(Duration.ofDays(5), 0))
        .hasMessageContaining("delivery.auto-disable.min-failed-attempts");
  }
}
