package dev.relay.webhook.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.client.HttpReply;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutcomeClassifierTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  final OutcomeClassifier classifier = new OutcomeClassifier(
      Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(10), Duration.ofSeconds(1));

  static HttpReply reply(int status, String body) {
    return new HttpReply(status, null, null, body, body.length(), false);
  }

  @ParameterizedTest
  @ValueSource(ints = {200, 201, 202, 204, 299})
  void twoHundredsAreDelivered(int status) {
    assertThat(classifier.classify(reply(status, ""))).isEqualTo(Outcome.delivered(status));
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 425, 429, 500, 502, 503, 504, 599})
  void transientStatusesAreRetried(int status) {
    Outcome o = classifier.classify(reply(status, "busy"));
    assertThat(o).isInstanceOfSatisfying(Outcome.Retry.class, r -> {
      assertThat(r.statusCode()).isEqualTo(status);
      assertThat(r.reason()).startsWith("HTTP " + status).endsWith(": busy");
    });
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 405, 409, 413, 422, 451})
  void otherClientErrorsAreTerminal(int status) {
    Outcome o = classifier.classify(reply(status, "{\"error\":\"bad\"}"));
    assertThat(o).isEqualTo(Outcome.terminal(
        "HTTP " + status + " " + io.netty.handler.codec.http.HttpResponseStatus.valueOf(status)
            .reasonPhrase() + ": {\"error\":\"bad\"}", status));
  }

  @Test
  void goneDisablesTheEndpoint() {
    assertThat(classifier.classify(reply(410, "bye"))).isEqualTo(
        Outcome.endpointGone("HTTP 410 Gone: bye (endpoint disabled)", 410));
  }

  @Test
  void redirectsAreRetryableFailuresNamingTheLocation() {
    HttpReply r = new HttpReply(301, null, "http://169.254.169.254/latest/meta-data/", "", 0, false);
    assertThat(classifier.classify(r)).isInstanceOfSatisfying(Outcome.Retry.class, retry -> {
      assertThat(retry.statusCode()).isEqualTo(301);
      assertThat(retry.reason()).isEqualTo("HTTP 301 Moved Permanently: redirect not followed"
          + " (Location: http://169.254.169.254/latest/meta-data/); point the endpoint URL at the"
          + " final address");
    });
  }

  @Test
  void retryAfterSecondsDatesAndCaps() {
    assertThat(retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(retryAfter("Sun, 01 Mar 2026 12:02:00 GMT")).isEqualTo(Duration.ofMinutes(2));
    assertThat(retryAfter("Sunday, 01-Mar-26 12:00:30 GMT")).isEqualTo(Duration.ofSeconds(30));
    assertThat(retryAfter("Sun Mar  1 12:00:05 2026")).isEqualTo(Duration.ofSeconds(5));
    assertThat(retryAfter("Sun, 01 Mar 2026 11:00:00 GMT")).isEqualTo(Duration.ZERO);
    assertThat(retryAfter("86400")).isEqualTo(Duration.ofMinutes(10));
    assertThat(retryAfter("99999999999999999999")).isEqualTo(Duration.ofMinutes(10));
    assertThat(retryAfter("soon")).isNull();
    assertThat(retryAfter("-5")).isNull();
    assertThat(retryAfter("")).isNull();
  }

  private Duration retryAfter(String header) {
    Outcome o = classifier.classify(new HttpReply(429, header, null, "", 0, false));
    return ((Outcome.Retry) o).retryAfter();
  }

  @Test
  void bodySnippetIsSanitisedAndTruncated() {
    String body = "line1\r\nline2\t\u001b[31mred\u0000" + "x".repeat(500);
    Outcome o = classifier.classify(reply(500, body));
    String reason = ((Outcome.Retry) o).reason();
    assertThat(reason).startsWith("HTTP 500 Internal Server Error: line1 line2 [31mred x")
        .doesNotContain("\r", "\n", "\t", "\u001b", "\u0000")
        .endsWith("…");
    assertThat(reason.length()).isLessThan(240);
  }

  @Test
  void transportFailuresAreRetried() {
    assertThat(reason(new ConnectException("Connection refused: /127.0.0.1:1")))
        .isEqualTo("connection failed: Connection refused: /127.0.0.1:1");
    assertThat(reason(new IOException("Connection reset by peer")))
        .isEqualTo("I/O error: Connection reset by peer");
    assertThat(reason(new SSLHandshakeException("PKIX path building failed")))
        .isEqualTo("TLS failure: PKIX path building failed");
    assertThat(reason(new RuntimeException("wrapped", new TimeoutException("late"))))
        .isEqualTo("timed out: late");
    assertThat(reason(new IllegalStateException("odd"))).isEqualTo("unexpected error: IllegalStateException: odd");
  }

  @Test
  void guardRejectionsAreRetriedSoonAndSayNothingWasSent() {
    CircuitBreaker cb = CircuitBreaker.ofDefaults("e");
    cb.transitionToOpenState();
    Throwable[] rejections = {
        CallNotPermittedException.createCallNotPermittedException(cb),
        BulkheadFullException.createBulkheadFullException(Bulkhead.ofDefaults("e")),
        RequestNotPermitted.createRequestNotPermitted(RateLimiter.ofDefaults("e"))};
    String[] tags = {"breaker_open", "bulkhead_full", "rate_limited"};
    for (int i = 0; i < rejections.length; i++) {
      Outcome o = classifier.classify(rejections[i]);
      assertThat(o).isInstanceOfSatisfying(Outcome.Deferred.class, r -> {
        assertThat(r.reason()).startsWith("not sent: ");
        assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(1));
      });
      assertThat(classifier.rejectionReason(rejections[i])).isEqualTo(tags[i]);
    }
    assertThat(classifier.rejectionReason(new IOException())).isNull();
  }

  private String reason(Throwable t) {
    return ((Outcome.Retry) classifier.classify(t)).reason();
  }
}
