package dev.relay.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.engine.endpoint.EndpointSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {
  @Test
  void leaseMustOutliveTheAttemptTimeout() {
    assertThatThrownBy(() -> EngineConfig.builder().lease(Duration.ofSeconds(30)).attemptTimeout(Duration.ofSeconds(30)).build())
        .hasMessageContaining("delivery.lease").hasMessageContaining("delivery.attempt-timeout");
  }

  @Test
  void boundsMustBePositiveAndNameTheirKey() {
    assertThatThrownBy(() -> EngineConfig.builder().maxInFlight(0).build()).hasMessageContaining("delivery.max-in-flight");
    assertThatThrownBy(() -> EngineConfig.builder().endpointLimits(Map.of("x", 0)).build())
        .hasMessageContaining("endpoints.x.max-in-flight");
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(10), 2, Duration.ofSeconds(1), 0.1, 3, Duration.ofSeconds(1)))
        .hasMessageContaining("delivery.retry.cap");
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(1), 0.1, 3, Duration.ofSeconds(1)))
        .hasMessageContaining("delivery.retry.factor");
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), 2, Duration.ofSeconds(1), 1.5, 3, Duration.ofSeconds(1)))
        .hasMessageContaining("delivery.retry.jitter");
  }

  @Test
  void databaseUrlIsParsedAndCredentialsStayOutOfIt() {
    DatabaseConfig config = new DatabaseConfig("r2dbc:postgresql://db.internal:6543/app", "relay", "pw");
    assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/app");
    assertThat(config.toString()).doesNotContain("pw");
    assertThatThrownBy(() -> new DatabaseConfig("postgresql://u:secret@h/db", "u", null))
        .hasMessageContaining("database.url must not contain credentials").hasMessageNotContaining("secret");
    assertThatThrownBy(() -> new DatabaseConfig("mysql://h/db", "u", null)).hasMessageContaining("database.url");
    assertThatThrownBy(() -> new DatabaseConfig("postgresql://h/db", "u", null).withSchema("Bad-Schema"))
        .hasMessageContaining("database.schema");
  }

  @Test
  void endpointPatternsBecomeLikePatternsWithLiteralUnderscoresAndPercents() {
    assertThat(new EndpointSpec("e", List.of("invoice.*", "a_b", "100%", "*")).likePatterns())
        .containsExactly("invoice.%", "a\\_b", "100\\%", "%");
    assertThatThrownBy(() -> new EndpointSpec("bad name", List.of())).hasMessageContaining("endpoints[].name");
  }
}
