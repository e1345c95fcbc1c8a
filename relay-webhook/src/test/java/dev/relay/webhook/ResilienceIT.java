package dev.relay.webhook;

import static dev.relay.webhook.testing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.config.BreakerSettings;
import dev.relay.webhook.config.RateLimit;
import dev.relay.webhook.config.WebhookEndpoint;
import dev.relay.webhook.metrics.WebhookMetricNames;
import dev.relay.webhook.resilience.BreakerState;
import dev.relay.webhook.testing.Deliveries;
import dev.relay.webhook.testing.Fixtures;
import dev.relay.webhook.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** Circuit breaker, bulkhead and rate limiter per endpoint, against a real server. */
class ResilienceIT {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final AtomicBoolean healthy = new AtomicBoolean(false);
  final Sinks.Empty<Void> release = Sinks.empty();
  final AtomicInteger heldNow = new AtomicInteger();
  final AtomicInteger heldMax = new AtomicInteger();

  final TestServer server = TestServer.start((req, res) -> switch (req.path()) {
    case "/flaky" -> res.status(healthy.get() ? 200 : 503).sendString(Mono.just("down"));
    case "/bad" -> res.status(400).sendString(Mono.just("bad request"));
    case "/held" -> Mono.defer(() -> {
          heldMax.accumulateAndGet(heldNow.incrementAndGet(), Math::max);
          return release.asMono();
        })
        .then(res.status(200).send())
        .doFinally(s -> heldNow.decrementAndGet());
    default -> res.status(200).send();
  });

  WebhookDeliverer deliverer;

  @AfterEach
  void stop() {
    release.tryEmitEmpty();
    if (deliverer != null) {
      deliverer.disposeLater().block(Duration.ofSeconds(10));
    }
    server.close();
  }

  private WebhookDeliverer start(BreakerSettings breaker, WebhookEndpoint... endpoints) {
    deliverer = WebhookDeliverer.create(Fixtures.loopbackSettings().withBreaker(breaker),
        List.of(endpoints), registry);
    return deliverer;
  }

  private Outcome deliver(String endpoint) {
    return deliverer.deliver(Deliveries.to(endpoint)).block(Duration.ofSeconds(10));
  }

  private long requestsTo(String path) {
    return server.requests().stream().filter(r -> r.path().equals(path)).count();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  @Test
  void breakerOpensStopsSendingAndRecoversThroughHalfOpen() {
    start(new BreakerSettings(50, 4, 4, Duration.ofSeconds(2), 2),
        endpoint("flaky", server.url("/flaky")), endpoint("other", server.url("/ok")));

    for (int i = 0; i < 4; i++) {
      assertThat(deliver("flaky")).isInstanceOf(Outcome.Retry.class);
    }
    assertThat(deliverer.breakerState("flaky")).hasValue(BreakerState.OPEN);
    assertThat(deliverer.unavailableEndpoints()).containsExactly("flaky");
    assertThat(gauge(WebhookMetricNames.BREAKER_STATE, "endpoint", "flaky", "state", "open")).isEqualTo(1);

    // While open nothing is sent, and the outcome says so.
    for (int i = 0; i < 3; i++) {
      assertThat(deliver("flaky")).isInstanceOfSatisfying(Outcome.Deferred.class, r -> {
        assertThat(r.reason()).isEqualTo("not sent: circuit breaker open (endpoint failing)");
        assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(1));
      });
    }
    assertThat(requestsTo("/flaky")).isEqualTo(4);
    assertThat(registry.get(WebhookMetricNames.REJECTIONS)
        .tags("endpoint", "flaky", "reason", "breaker_open").counter().count()).isEqualTo(3);
    // Another endpoint is unaffected.
    assertThat(deliver("other").with(null)).isEqualTo(Outcome.delivered(200));

    // After the open duration the breaker lets trials through by itself.
    healthy.set(true);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> deliverer.breakerState("flaky").orElseThrow() == BreakerState.HALF_OPEN);
    assertThat(deliverer.unavailableEndpoints()).isEmpty();
    assertThat(deliver("flaky").with(null)).isEqualTo(Outcome.delivered(200));
    assertThat(deliver("flaky").with(null)).isEqualTo(Outcome.delivered(200));
    assertThat(deliverer.breakerState("flaky")).hasValue(BreakerState.CLOSED);
    assertThat(requestsTo("/flaky")).isEqualTo(6);
  }

  @Test
  void terminalClientErrorsDoNotOpenTheBreaker() {
    start(new BreakerSettings(50, 4, 4, Duration.ofMinutes(1), 1), endpoint("bad", server.url("/bad")));
    for (int i = 0; i < 10; i++) {
      assertThat(deliver("bad")).isInstanceOf(Outcome.Terminal.class);
    }
    assertThat(deliverer.breakerState("bad")).hasValue(BreakerState.CLOSED);
    assertThat(deliverer.unavailableEndpoints()).isEmpty();
    assertThat(requestsTo("/bad")).isEqualTo(10);
  }

  @Test
  void bulkheadCapsOneEndpointWhileAnotherFlows() {
    start(BreakerSettings.DEFAULTS,
        endpoint("held", server.url("/held")).withMaxInFlight(2),
        endpoint("free", server.url("/free")).withMaxInFlight(4));
    assertThat(deliverer.maxInFlight("held")).isEqualTo(2);

    CompletableFuture<List<Outcome>> heldOutcomes =
        Flux.range(0, 6)
            .flatMap(i -> deliverer.deliver(Deliveries.to("held")), 6) // all six at once
            .collectList()
            .toFuture();
    await().atMost(Duration.ofSeconds(10)).until(() -> heldNow.get() == 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.find(WebhookMetricNames.REJECTIONS)
        .tags("endpoint", "held", "reason", "bulkhead_full").counters().stream()
        .mapToDouble(c -> c.count()).sum() == 4);
    assertThat(deliverer.inFlight("held")).isEqualTo(2);

    // "held" is saturated; "free" still delivers, concurrently.
    List<Outcome> free = Flux.range(0, 8)
        .flatMap(i -> deliverer.deliver(Deliveries.to("free")), 4)
        .collectList().block(Duration.ofSeconds(10));
    assertThat(free).hasSize(8).allMatch(o -> o.with(null).equals(Outcome.delivered(200)));
    assertThat(heldNow.get()).isEqualTo(2);

    release.tryEmitEmpty();
    List<Outcome> held = heldOutcomes.join();
    assertThat(held).filteredOn(o -> o.with(null).equals(Outcome.delivered(200))).hasSize(2);
    assertThat(held).filteredOn(o -> o instanceof Outcome.Deferred r
        && r.reason().equals("not sent: endpoint at its max-in-flight limit")).hasSize(4);
    assertThat(heldMax.get()).isEqualTo(2);
    assertThat(requestsTo("/held")).isEqualTo(2);
  }

  @Test
  void rateLimitRefusesBeyondTheLimitWithoutSending() {
    start(BreakerSettings.DEFAULTS,
        endpoint("limited", server.url("/limited")).withRateLimit(new RateLimit(2, Duration.ofHours(1))));
    assertThat(deliver("limited").with(null)).isEqualTo(Outcome.delivered(200));
    assertThat(deliver("limited").with(null)).isEqualTo(Outcome.delivered(200));
    assertThat(deliver("limited")).isInstanceOfSatisfying(Outcome.Deferred.class,
        r -> assertThat(r.reason()).isEqualTo("not sent: endpoint rate limit reached"));
    assertThat(requestsTo("/limited")).isEqualTo(2);
    assertThat(deliverer.breakerState("limited")).hasValue(BreakerState.CLOSED);
  }
}
