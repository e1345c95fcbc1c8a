package dev.relay.app.config;

import static dev.relay.app.config.ConfigLoaderTest.DB;
import static dev.relay.app.config.ConfigLoaderTest.parse;
import static dev.relay.app.config.ConfigLoaderTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code runtime-endpoints}: keys checked by position without showing them, defaults, the environment. */
class RuntimeEndpointsConfigTest {
  static final String KEY_1 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  static final String KEY_2 = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

  @Test
  void offByDefault() {
    RuntimeEndpointsConfig c = parse(DB, Map.of()).runtimeEndpoints();
    assertThat(c.enabled()).isFalse();
    assertThat(c.secretOverlap()).isEqualTo(Duration.ofHours(24));
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.metricsPerEndpoint()).isFalse();
  }

  @Test
  void keysComeFromTheFileOrTheEnvironmentAndAreNeverShown() {
    RuntimeEndpointsConfig file = parse(DB + "runtime-endpoints:\n  encryption-keys: [" + KEY_1 + "]\n"
        + "  secret-overlap: 1h\n  idle-timeout: 30s\n  metrics-per-endpoint: true\n", Map.of()).runtimeEndpoints();
    assertThat(file.encryptionKeys()).hasSize(1);
    assertThat(file.secretOverlap()).isEqualTo(Duration.ofHours(1));
    assertThat(file.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(file.metricsPerEndpoint()).isTrue();
    assertThat(file.toString()).doesNotContain(KEY_1);

    RuntimeEndpointsConfig env = parse(DB, Map.of("RELAY_RUNTIME_ENDPOINTS_ENCRYPTION_KEYS", KEY_2 + "," + KEY_1))
        .runtimeEndpoints();
    assertThat(env.encryptionKeys()).hasSize(2);
    assertThat(env.enabled()).isTrue();
  }

  @Test
  void aBadKeyIsNamedByPositionWithoutItsValue() {
    assertThat(problems(DB + "runtime-endpoints:\n  encryption-keys: [" + KEY_1 + ", c2hvcnQ=, 'not base64!']\n"))
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "runtime-endpoints.encryption-keys[1]: must be the base64 of 32 bytes (an AES-256 key; value not shown),"
                + " was 5 bytes; make one with: openssl rand -base64 32",
            "runtime-endpoints.encryption-keys[2]: must be base64 (value not shown); make one with: openssl rand"
                + " -base64 32")
        .noneMatch(p -> p.contains("c2hvcnQ") || p.contains("not base64!"));
    assertThat(problems(DB + "runtime-endpoints:\n  idle-timeout: 1s\n  secret-overlap: 40d\n"))
        .extracting(ConfigProblem::toString)
        .containsExactlyInAnyOrder("runtime-endpoints.idle-timeout: must be at least 10s",
            "runtime-endpoints.secret-overlap: must be at most 30d");
  }
}
