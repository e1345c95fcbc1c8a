package dev.relay.loadtest.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.app.config.RelayConfig;
import dev.relay.engine.config.EngineConfig;
import dev.relay.loadtest.postgres.PostgresAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelayConfigFileTest {
  private static RelaySpec spec(Map<String, String> overrides) {
    return new RelaySpec(Path.of("relay.jar"), List.of(), PostgresAddress.parse("postgresql://pg:secret@db:5433/app"),
        "relay_load", List.of("ep-0000", "ep-0001"), name -> "http://127.0.0.1:9999/" + name,
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", overrides, "relay-load-admin-token-0123456789");
  }

  @Test
  void theGeneratedFileIsTheConfigurationDefaultsPlusEndpoints() {
    RelayConfig c = RelayConfigFile.effective(spec(Map.of()));

    assertThat(c.engineConfig()).isEqualTo(EngineConfig.DEFAULT);
    assertThat(c.endpoints()).extracting(e -> e.name()).containsExactly("ep-0000", "ep-0001");
    assertThat(c.database().port()).isEqualTo(5433);
    assertThat(c.database().user()).isEqualTo("pg");
    assertThat(c.database().schema()).isEqualTo("relay_load");
  }

  @Test
  void overridesTravelAsTheRelaysEnvironmentVariables() {
    RelaySpec spec = spec(Map.of("delivery.max-in-flight", "1000", "delivery.retry.max-attempts", "3"));

    assertThat(RelayConfigFile.environment(spec.overrides())).containsEntry("RELAY_DELIVERY_MAX_IN_FLIGHT", "1000")
        .containsEntry("RELAY_DELIVERY_RETRY_MAX_ATTEMPTS", "3");
    assertThat(RelayConfigFile.effective(spec).engineConfig().maxInFlight()).isEqualTo(1000);
    assertThat(RelayConfigFile.envName("endpoints[0].max-in-flight")).isEqualTo("RELAY_ENDPOINTS_0_MAX_IN_FLIGHT");
  }

  @Test
  void aBadOverrideFailsBeforeAnyRelayStartsAndNamesTheKey() {
    assertThatThrownBy(() -> RelayConfigFile.effective(spec(Map.of("delivery.max-in-flight", "lots"))))
        .hasMessageContaining("delivery.max-in-flight");
  }
}
