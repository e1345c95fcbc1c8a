package dev.relay.webhook;

import static dev.relay.webhook.testing.Fixtures.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.config.EndpointSource;
import dev.relay.webhook.config.SourcePolicy;
import dev.relay.webhook.config.SourcedEndpoint;
import dev.relay.webhook.config.WebhookEndpoint;
import dev.relay.webhook.signing.WebhookVerifier;
import dev.relay.webhook.testing.Deliveries;
import dev.relay.webhook.testing.Fixtures;
import dev.relay.webhook.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Endpoints from an {@link EndpointSource}: looked up on first delivery (once for concurrent
 * first deliveries), held while in use, forgotten on demand, evicted when idle, never cached when
 * the lookup failed or found nothing.
 */
class RuntimeEndpointsIT {
  private TestServer server;
  private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
  private final Map<String, Long> versions = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    server = TestServer.start((req, res) -> res.status(200).send());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private EndpointSource source(Duration validFor) {
    return name -> Mono.defer(() -> {
      lookups.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
      if (name.equals("missing")) {
        return Mono.empty();
      }
      if (name.equals("broken")) {
        return Mono.error(new IllegalStateException("database is down"));
      }
      WebhookEndpoint e = WebhookEndpoint.of(name, URI.create(server.url("/" + name)), List.of(SECRET));
      return Mono.just(new SourcedEndpoint(e, versions.getOrDefault(name, 1L), validFor, "_runtime"))
          .delayElement(Duration.ofMillis(50));
    });
  }

  private WebhookDeliverer deliverer(Duration idle, Duration validFor) {
    return deliverer(new SourcePolicy(idle, WebhookEndpoint.DEFAULT_MAX_IN_FLIGHT, List.of("127.0.0.0/8"), true),
        validFor);
  }

  private WebhookDeliverer deliverer(SourcePolicy policy, Duration validFor) {
    return WebhookDeliverer.builder(Fixtures.loopbackSettings(), List.of(), new SimpleMeterRegistry())
        .endpointSource(source(validFor), policy)
        .build();
  }

  private int lookups(String name) {
    return lookups.getOrDefault(name, new AtomicInteger()).get();
  }

  @Test
  void concurrentFirstDeliveriesShareOneLookupAndAreSignedWithTheSourcesSecret() {
    try (WebhookDeliverer d = deliverer(Duration.ofMinutes(10), null)) {
      List<Outcome> outcomes = Flux.range(0, 20).flatMap(i -> d.deliver(Deliveries.to("tenant-a")), 20)
          .collectList().block(Duration.ofSeconds(20));
      assertThat(outcomes).hasSize(20).allMatch(o -> o instanceof Outcome.Delivered);
      assertThat(lookups("tenant-a")).isEqualTo(1);
      assertThat(server.requests()).hasSize(20).allMatch(r -> WebhookVerifier.of(SECRET)
          .isValid(r.headers()::get, r.body().getBytes(StandardCharsets.UTF_8)));
      assertThat(d.heldRuntimeVersions()).containsEntry("tenant-a", 1L);
    }
  }

  @Test
  void aForgottenEndpointIsLookedUpAgainAndAnIdleOneIsEvicted() throws InterruptedException {
    try (WebhookDeliverer d = deliverer(Duration.ofMillis(100), null)) {
      assertThat(d.deliver(Deliveries.to("tenant-b")).block()).isInstanceOf(Outcome.Delivered.class);
      d.forget("tenant-b");
      versions.put("tenant-b", 2L);
      assertThat(d.deliver(Deliveries.to("tenant-b")).block()).isInstanceOf(Outcome.Delivered.class);
      assertThat(lookups("tenant-b")).isEqualTo(2);
      assertThat(d.heldRuntimeVersions()).containsEntry("tenant-b", 2L);
      Thread.sleep(150); // idle past the (tiny) idle time
      d.evictIdle();
      assertThat(d.heldRuntimeVersions()).doesNotContainKey("tenant-b");
      assertThat(d.deliver(Deliveries.to("tenant-b")).block()).isInstanceOf(Outcome.Delivered.class);
      assertThat(lookups("tenant-b")).isEqualTo(3);
    }
  }

  @Test
  void aCopyIsReadAgainWhenItStopsBeingValid() throws InterruptedException {
    try (WebhookDeliverer d = deliverer(Duration.ofMinutes(10), Duration.ofSeconds(3))) {
      assertThat(d.deliver(Deliveries.to("tenant-c")).block()).isInstanceOf(Outcome.Delivered.class);
      assertThat(d.deliver(Deliveries.to("tenant-c")).block()).isInstanceOf(Outcome.Delivered.class);
      assertThat(lookups("tenant-c")).isEqualTo(1);
      Thread.sleep(3500); // past the copy's validity (e.g. a rotated-out secret's overlap)
      assertThat(d.deliver(Deliveries.to("tenant-c")).block()).isInstanceOf(Outcome.Delivered.class);
      assertThat(lookups("tenant-c")).isEqualTo(2);
    }
  }

  @Test
  void aMissingEndpointIsTerminalAndAFailedLookupDefersWithoutSpendingAnAttempt() {
    try (WebhookDeliverer d = deliverer(Duration.ofMinutes(10), null)) {
      Outcome missing = d.deliver(Deliveries.to("missing")).block();
      assertThat(missing).isInstanceOf(Outcome.Terminal.class);
      assertThat(((Outcome.Terminal) missing).reason()).contains("no longer exists");
      Outcome broken = d.deliver(Deliveries.to("broken")).block();
      assertThat(broken).isInstanceOf(Outcome.Deferred.class);
      assertThat(((Outcome.Deferred) broken).reason()).contains("could not read endpoint 'broken'")
          .contains("database is down");
      // Left alone for a while: not looked up again, and not to be claimed by this relay.
      assertThat(d.deliver(Deliveries.to("broken")).block()).isInstanceOf(Outcome.Deferred.class);
      assertThat(d.unavailableEndpoints()).contains("broken");
      d.deliver(Deliveries.to("missing")).block();
      assertThat(lookups("missing")).isEqualTo(2);
      assertThat(lookups("broken")).isEqualTo(1);
      assertThat(d.heldRuntimeVersions()).isEmpty();
    }
  }

  @Test
  void runtimeEndpointsDoNotGetTheConfiguredEndpointsNetworkExceptions() {
    // The settings allow 127.0.0.0/8 (for configured endpoints); the runtime policy allows nothing.
    try (WebhookDeliverer d = deliverer(
        new SourcePolicy(Duration.ofMinutes(10), WebhookEndpoint.DEFAULT_MAX_IN_FLIGHT, List.of(), true), null)) {
      Outcome refused = d.deliver(Deliveries.to("tenant-d")).block();
      assertThat(refused).isInstanceOf(Outcome.Terminal.class);
      assertThat(((Outcome.Terminal) refused).reason()).contains("SSRF");
      assertThat(server.requests()).isEmpty();
    }
    try (WebhookDeliverer d = deliverer(
        new SourcePolicy(Duration.ofMinutes(10), WebhookEndpoint.DEFAULT_MAX_IN_FLIGHT, List.of("127.0.0.0/8"), false),
        null)) {
      Outcome refused = d.deliver(Deliveries.to("tenant-e")).block();
      assertThat(refused).isInstanceOf(Outcome.Terminal.class);
      assertThat(((Outcome.Terminal) refused).reason()).contains("runtime-endpoints.allow-http is false");
    }
  }
}
