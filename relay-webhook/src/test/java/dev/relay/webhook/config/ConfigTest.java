package dev.relay.webhook.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTest {

  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  static WebhookEndpoint endpoint(String url) {
    return WebhookEndpoint.of("billing", URI.create(url), List.of(SECRET));
  }

  @Test
  void defaultsAreDocumentedValues() {
    WebhookSettings d = WebhookSettings.DEFAULTS;
    assertThat(d.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.attemptDeadline()).isEqualTo(Duration.ofSeconds(25));
    assertThat(d.maxResponseBytes()).isEqualTo(65_536);
    assertThat(d.userAgent()).matches("Relay/\\d+\\.\\d+\\.\\d+.*");
    WebhookEndpoint e = endpoint("https://example.com/hook");
    assertThat(e.maxInFlight()).isEqualTo(32);
    assertThat(e.rateLimit()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"webhook-id", "Webhook-Signature", "webhook-timestamp", "webhook-anything",
      "Host", "content-length", "Content-Type", "Transfer-Encoding", "CONNECTION", "Upgrade"})
  void reservedHeadersCannotBeOverridden(String name) {
    assertThatThrownBy(() -> endpoint("https://example.com/").withHeaders(Map.of(name, "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoints[billing].headers." + name + " is reserved");
  }

  @Test
  void headerInjectionIsRejectedWithoutEchoingTheValue() {
    WebhookEndpoint e = endpoint("https://example.com/");
    assertThatThrownBy(() -> e.withHeaders(Map.of("X-Token", "abc\r\nX-Evil: 1")))
        .hasMessageContaining("endpoints[billing].headers.X-Token value")
        .message().doesNotContain("abc").doesNotContain("Evil");
    assertThatThrownBy(() -> e.withHeaders(Map.of("X-Bad\nName", "v")))
        .hasMessageContaining("invalid header name");
    assertThatThrownBy(() -> e.withHeaders(Map.of("X Space", "v")))
        .hasMessageContaining("invalid header name");
    assertThat(e.withHeaders(Map.of("Authorization", "Bearer s3cret")).toString())
        .doesNotContain("s3cret").doesNotContain("MfKQ");
  }

  @Test
  void urlsAreValidated() {
    assertThatThrownBy(() -> endpoint("https://user:pw@example.com/"))
        .hasMessageContaining("endpoints[billing].url must not contain credentials")
        .message().doesNotContain("pw");
    assertThatThrownBy(() -> endpoint("ftp://example.com/"))
        .hasMessageContaining("endpoints[billing].url must use https");
    assertThatThrownBy(() -> endpoint("/relative"))
        .hasMessageContaining("absolute");
    assertThatThrownBy(() -> endpoint("https://example.com/#frag"))
        .hasMessageContaining("fragment");
    assertThat(endpoint("http://0x7f.1:8080/x").host()).isEqualTo("0x7f.1");
    assertThat(endpoint("http://[::1]:8080/x").host()).isEqualTo("::1");
  }

  @Test
  void badValuesNameTheirKeys() {
    assertThatThrownBy(() -> WebhookEndpoint.of("Bad Name", URI.create("https://e.com"), List.of(SECRET)))
        .hasMessageContaining("endpoints[].name");
    assertThatThrownBy(() -> WebhookEndpoint.of("b", URI.create("https://e.com"), List.of()))
        .hasMessageContaining("endpoints[b].secrets");
    assertThatThrownBy(() -> endpoint("https://e.com").withMaxInFlight(0))
        .hasMessageContaining("endpoints[billing].max-in-flight must be >= 1");
    assertThatThrownBy(() -> endpoint("https://e.com").withAllowedNetworks(List.of("10.0.0.0/8", "nope")))
        .hasMessageContaining("endpoints[billing].allowed-networks[1]");
    assertThatThrownBy(() -> WebhookSettings.DEFAULTS.withAttemptDeadline(Duration.ZERO))
        .hasMessageContaining("webhook.attempt-deadline");
    assertThatThrownBy(() -> WebhookSettings.DEFAULTS.withAllowedNetworks(List.of("10.1.0.0/8")))
        .hasMessageContaining("webhook.allowed-networks[0]");
    assertThatThrownBy(() -> new BreakerSettings(50, 10, 20, Duration.ofSeconds(1), 1))
        .hasMessageContaining("webhook.breaker.minimum-calls");
  }

  @Test
  void rateLimitsParse() {
    assertThat(RateLimit.parse("k", "50/s")).isEqualTo(new RateLimit(50, Duration.ofSeconds(1)));
    assertThat(RateLimit.parse("k", "1000/m")).isEqualTo(new RateLimit(1000, Duration.ofMinutes(1)));
    assertThat(RateLimit.parse("k", "5/500ms")).isEqualTo(new RateLimit(5, Duration.ofMillis(500)));
    assertThat(RateLimit.parse("k", "10/2h")).isEqualTo(new RateLimit(10, Duration.ofHours(2)));
    assertThatThrownBy(() -> RateLimit.parse("endpoints[a].rate-limit", "fast"))
        .hasMessageContaining("endpoints[a].rate-limit");
    assertThatThrownBy(() -> RateLimit.parse("k", "0/s")).hasMessageContaining(">= 1");
  }
}
