package dev.relay.webhook;

import static dev.relay.webhook.testing.Fixtures.SECRET;
import static dev.relay.webhook.testing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Exchange;
import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.config.WebhookEndpoint;
import dev.relay.webhook.config.WebhookSettings;
import dev.relay.webhook.metrics.WebhookMetricNames;
import dev.relay.webhook.signing.SigningSecret;
import dev.relay.webhook.signing.WebhookVerifier;
import dev.relay.webhook.testing.Deliveries;
import dev.relay.webhook.testing.Fixtures;
import dev.relay.webhook.testing.Fixtures.MutableClock;
import dev.relay.webhook.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/** Every status class and failure mode against a real server on 127.0.0.1. */
class WebhookDelivererIT {

  static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
  static final String NEW_SECRET = "whsec_" + java.util.Base64.getEncoder()
      .encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
  static final Duration DRIP_DEADLINE = Duration.ofMillis(1500);

  static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();
  static final java.util.concurrent.atomic.AtomicBoolean TIMER_HISTOGRAM =
      new java.util.concurrent.atomic.AtomicBoolean();

  static {
    // Records whether the request timer asks registries for a percentile histogram.
    REGISTRY.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
      @Override
      public io.micrometer.core.instrument.distribution.DistributionStatisticConfig configure(
          io.micrometer.core.instrument.Meter.Id id,
          io.micrometer.core.instrument.distribution.DistributionStatisticConfig config) {
        if (id.getName().equals(WebhookMetricNames.REQUEST_DURATION)
            && Boolean.TRUE.equals(config.isPercentileHistogram())) {
          TIMER_HISTOGRAM.set(true);
        }
        return config;
      }
    });
  }
  static TestServer server;
  static MutableClock clock;
  static WebhookDeliverer deliverer;
  static WebhookDeliverer dripDeliverer;

  @BeforeAll
  static void start() {
    server = TestServer.start(WebhookDelivererIT::answer);
    clock = new MutableClock(START);
    List<WebhookEndpoint> endpoints = new java.util.ArrayList<>();
    for (String path : List.of("200", "204", "301", "400", "404", "408", "410", "429s", "429d",
        "500", "503", "reset", "big")) {
      endpoints.add(endpoint("s" + path, server.url("/" + path)));
    }
    endpoints.add(WebhookEndpoint.of("signed", URI.create(server.url("/200")),
            List.of(SECRET, NEW_SECRET))
        .withHeaders(Map.of("X-Relay-Source", "shop", "Authorization", "Bearer t0ken")));
    endpoints.add(endpoint("refused", "http://127.0.0.1:" + closedPort() + "/"));
    deliverer = WebhookDeliverer.builder(Fixtures.loopbackSettings(), endpoints, REGISTRY)
        .clock(clock).build();
    dripDeliverer = WebhookDeliverer.create(
        Fixtures.loopbackSettings().withAttemptDeadline(DRIP_DEADLINE),
        List.of(endpoint("drip", server.url("/drip")), endpoint("fast-drip", server.url("/fast-drip"))),
        new SimpleMeterRegistry());
  }

  @AfterAll
  static void stop() {
    deliverer.disposeLater().block(Duration.ofSeconds(10));
    dripDeliverer.disposeLater().block(Duration.ofSeconds(10));
    server.close();
  }

  static org.reactivestreams.Publisher<Void> answer(TestServer.Captured req, HttpServerResponse res) {
    String path = req.path().substring(1);
    return switch (path) {
      case "200" -> res.status(200).sendString(Mono.just("ok"));
      case "204" -> res.status(204).send();
      case "big" -> res.status(500).sendString(Mono.just("é" + "A".repeat(1022) + "B".repeat(3000)));
      case "301" -> res.status(301).header("Location", "http://169.254.169.254/latest/meta-data/").send();
      case "429s" -> res.status(429).header("Retry-After", "7").sendString(Mono.just("slow down"));
      case "429d" -> res.status(429)
          .header("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME
              .format(START.plusSeconds(90).atOffset(ZoneOffset.UTC)))
          .sendString(Mono.just("slow down"));
      case "reset" -> res.header("Content-Length", "1000")
          .send(Flux.just(Unpooled.copiedBuffer("0123456789", StandardCharsets.US_ASCII))
              .concatWith(Mono.delay(Duration.ofMillis(100)).then(Mono.defer(() -> {
                res.withConnection(c -> c.channel().config().setOption(ChannelOption.SO_LINGER, 0));
                return Mono.error(new IOException("test server resets the connection"));
              }))));
      case "drip" -> res.header("Content-Length", "100")
          .send(Flux.interval(Duration.ofSeconds(1)).take(100)
              .map(i -> Unpooled.wrappedBuffer(new byte[] {'x'})), b -> true);
      case "fast-drip" -> res.header("Content-Length", "100")
          .send(Flux.interval(Duration.ofMillis(300)).take(100)
              .map(i -> Unpooled.wrappedBuffer(new byte[] {'x'})), b -> true);
      default -> res.status(Integer.parseInt(path))
          .sendString(Mono.just("{\"error\": \"status " + path + "\"}\r\n"));
    };
  }

  static Outcome deliver(String endpoint) {
    return deliverer.deliver(Deliveries.to(endpoint)).block(Duration.ofSeconds(20));
  }

  @ParameterizedTest
  @ValueSource(ints = {200, 204})
  void twoHundredsAreDelivered(int status) {
    Outcome o = deliver("s" + status);
    assertThat(o).isInstanceOfSatisfying(Outcome.Delivered.class, d -> {
      assertThat(d.statusCode()).isEqualTo(status);
      assertThat(d.exchange().responseExcerpt()).isEqualTo(status == 200 ? "ok" : "");
    });
  }

  @Test
  void theExchangeReportsTheStartDurationAndTheFirstKibibyteOfTheBody() {
    Instant startedAt = clock.instant();
    Outcome o = deliver("sbig");
    Exchange e = o.exchange();
    assertThat(e).isNotNull();
    assertThat(e.startedAt()).isEqualTo(startedAt);
    assertThat(e.duration()).isPositive().isLessThan(Duration.ofSeconds(20));
    // 1,024 bytes kept: the two-byte é and 1,022 A's; none of the rest was kept.
    assertThat(e.responseExcerpt()).isEqualTo("é" + "A".repeat(1022));
  }

  @Test
  void redirectIsNotFollowedAndNamesTheLocation() {
    int before = server.requests().size();
    Outcome o = deliver("s301");
    assertThat(o).isInstanceOfSatisfying(Outcome.Retry.class, r -> {
      assertThat(r.statusCode()).isEqualTo(301);
      assertThat(r.reason()).contains("redirect not followed")
          .contains("Location: http://169.254.169.254/latest/meta-data/");
    });
    assertThat(server.requests()).hasSize(before + 1);
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 404})
  void clientErrorsAreTerminalWithStatusAndSanitisedBody(int status) {
    Outcome o = deliver("s" + status);
    assertThat(o).isInstanceOfSatisfying(Outcome.Terminal.class, t -> {
      assertThat(t.statusCode()).isEqualTo(status);
      assertThat(t.disableEndpoint()).isFalse();
      assertThat(t.reason()).startsWith("HTTP " + status + " ")
          .endsWith(": {\"error\": \"status " + status + "\"}");
    });
  }

  @Test
  void goneIsTerminalAndDisablesTheEndpoint() {
    assertThat(deliver("s410")).isInstanceOfSatisfying(Outcome.Terminal.class, t -> {
      assertThat(t.statusCode()).isEqualTo(410);
      assertThat(t.disableEndpoint()).isTrue();
    });
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 500, 503})
  void transientStatusesAreRetried(int status) {
    assertThat(deliver("s" + status)).isInstanceOfSatisfying(Outcome.Retry.class, r -> {
      assertThat(r.statusCode()).isEqualTo(status);
      assertThat(r.reason()).startsWith("HTTP " + status);
      assertThat(r.retryAfter()).isNull();
    });
  }

  @Test
  void tooManyRequestsHonoursRetryAfterSecondsAndDates() {
    assertThat(deliver("s429s")).isInstanceOfSatisfying(Outcome.Retry.class,
        r -> assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(7)));
    // The date is START + 90 s; the deliverer's clock may have been moved by another test.
    Duration expected = Duration.between(clock.instant(), START.plusSeconds(90));
    assertThat(deliver("s429d")).isInstanceOfSatisfying(Outcome.Retry.class,
        r -> assertThat(r.retryAfter()).isEqualTo(expected).isPositive());
  }

  @Test
  void connectionRefusedIsRetried() {
    assertThat(deliver("refused")).isInstanceOfSatisfying(Outcome.Retry.class,
        r -> assertThat(r.reason()).startsWith("connection failed:"));
  }

  @Test
  void resetMidResponseIsRetried() {
    assertThat(deliver("sreset")).isInstanceOfSatisfying(Outcome.Retry.class,
        r -> assertThat(r.reason()).satisfiesAnyOf(
            s -> assertThat(s).startsWith("connection closed by the receiver"),
            s -> assertThat(s).startsWith("I/O error:")));
  }

  @Test
  void aDripFedBodyIsCutShortAndTheStatusDecides() {
    long start = System.nanoTime();
    Outcome o = dripDeliverer.deliver(Deliveries.to("drip")).block(Duration.ofSeconds(20));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(o.with(null)).isEqualTo(Outcome.delivered(200));
    // The history keeps what was read before the cut (the first byte comes after about BODY_WAIT).
    assertThat(o.exchange().responseExcerpt()).matches("x*");
    assertThat(took).as("not the 100 s the body would take").isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aBodyDrippingFasterThanTheBodyWaitIsStillCutShortInTotal() {
    long start = System.nanoTime();
    Outcome o = dripDeliverer.deliver(Deliveries.to("fast-drip")).block(Duration.ofSeconds(40));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(o.with(null)).isEqualTo(Outcome.delivered(200));
    assertThat(took).as("a byte every 300 ms never waits a whole BODY_WAIT; not the 30 s the body would take")
        .isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void attemptsAreTimedAndCountedByEndpointAndStatusClass() {
    deliver("s200");
    deliver("s503");
    deliver("refused");
    io.micrometer.core.instrument.Timer ok = REGISTRY.get(WebhookMetricNames.REQUEST_DURATION)
        .tags("endpoint", "s200", "status_class", "2xx").timer();
    assertThat(ok.count()).isPositive();
    assertThat(TIMER_HISTOGRAM).as("timer publishes a percentile histogram").isTrue();
    assertThat(REGISTRY.get(WebhookMetricNames.OUTCOMES)
        .tags("endpoint", "s503", "status_class", "5xx", "outcome", "retry").counter().count())
        .isPositive();
    assertThat(REGISTRY.get(WebhookMetricNames.OUTCOMES)
        .tags("endpoint", "refused", "status_class", "error", "outcome", "retry").counter().count())
        .isPositive();
    assertThat(REGISTRY.get(WebhookMetricNames.BREAKER_STATE)
        .tags("endpoint", "s200", "state", "closed").gauge().value()).isEqualTo(1);
  }

  @Test
  void unknownEndpointIsTerminal() {
    assertThat(deliver("nobody")).isEqualTo(Outcome.terminal(
        "unknown endpoint 'nobody': not in the webhook configuration"));
  }

  @Test
  void requestsAreSignedPerSpecWithStableIdAndFreshTimestamp() {
    Delivery first = new Delivery(7, "signed", "evt_123", "invoice.paid", "{\"amount\": \"€5\"}",
        "application/cloudevents+json", null, 1, START);
    Delivery retry = new Delivery(7, "signed", "evt_123", "invoice.paid", first.payload(),
        first.contentType(), null, 2, START);
    int before = server.requests().size();
    assertThat(deliverer.deliver(first).block(Duration.ofSeconds(10)).with(null)).isEqualTo(Outcome.delivered(200));
    clock.advance(Duration.ofSeconds(42));
    assertThat(deliverer.deliver(retry).block(Duration.ofSeconds(10)).with(null)).isEqualTo(Outcome.delivered(200));

    List<TestServer.Captured> seen = server.requests().subList(before, before + 2);
    for (TestServer.Captured c : seen) {
      assertThat(c.method()).isEqualTo("POST");
      assertThat(c.body()).isEqualTo(first.payload());
      assertThat(c.headers().get("webhook-id")).isEqualTo("evt_123");
      assertThat(c.headers().get("Content-Type")).isEqualTo("application/cloudevents+json");
      assertThat(c.headers().get("User-Agent")).startsWith("Relay/");
      assertThat(c.headers().get("X-Relay-Source")).isEqualTo("shop");
      assertThat(c.headers().get("Authorization")).isEqualTo("Bearer t0ken");
      assertThat(c.headers().get("webhook-signature").split(" ")).hasSize(2);
      byte[] body = c.body().getBytes(StandardCharsets.UTF_8);
      // A receiver following the spec, with either secret, accepts the request as received.
      for (String secret : List.of(SECRET, NEW_SECRET)) {
        WebhookVerifier.of(List.of(SigningSecret.parse(secret)))
            .withClock(java.time.Clock.fixed(START, ZoneOffset.UTC))
            .verify(c.headers()::get, body);
      }
    }
    assertThat(seen.get(0).headers().get("webhook-timestamp"))
        .isEqualTo(Long.toString(START.getEpochSecond()));
    assertThat(seen.get(1).headers().get("webhook-timestamp"))
        .isEqualTo(Long.toString(START.getEpochSecond() + 42));
    assertThat(seen.get(1).headers().get("webhook-signature"))
        .isNotEqualTo(seen.get(0).headers().get("webhook-signature"));
    // Tampering with what was received breaks verification.
    TestServer.Captured c = seen.get(0);
    assertThatThrownBy(() -> WebhookVerifier.of(SECRET).withClock(java.time.Clock.fixed(START, ZoneOffset.UTC))
            .verify(c.headers()::get, (c.body() + " ").getBytes(StandardCharsets.UTF_8)))
        .hasMessage("no matching signature");
  }

  @Test
  void plainHttpNeedsAnExplicitAllowance() {
    assertThatThrownBy(() -> WebhookDeliverer.create(WebhookSettings.DEFAULTS,
            List.of(endpoint("plain", "http://example.com/hook")), new SimpleMeterRegistry()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoints[plain].url uses http://");
    assertThatThrownBy(() -> WebhookDeliverer.create(WebhookSettings.DEFAULTS,
            List.of(endpoint("a", "https://example.com/"), endpoint("a", "https://example.org/")),
            new SimpleMeterRegistry()))
        .hasMessageContaining("endpoints[a].name is given twice");
  }

  static int closedPort() {
    TestServer s = TestServer.start((req, res) -> res.send());
    int port = s.port();
    s.close();
    return port;
  }
}
