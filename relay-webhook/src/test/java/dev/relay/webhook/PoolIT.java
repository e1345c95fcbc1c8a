package dev.relay.webhook;

import static dev.relay.webhook.testing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.config.BreakerSettings;
import dev.relay.webhook.metrics.WebhookMetricNames;
import dev.relay.webhook.testing.Deliveries;
import dev.relay.webhook.testing.Fixtures;
import dev.relay.webhook.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Pooled connections are released whatever the outcome, and huge bodies are not read. */
class PoolIT {

  static final int KIB = 1024;
  static final long HUNDRED_MB = 100L * 1024 * KIB;
  static final byte[] ONE_KIB = new byte[KIB];

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final AtomicLong hugeBytesEmitted = new AtomicLong();
  final AtomicBoolean hugeCompleted = new AtomicBoolean();

  final TestServer server = TestServer.start((req, res) -> switch (req.path()) {
    case "/ok" -> res.status(200).sendString(Mono.just("ok"));
    case "/err" -> res.status(500).sendString(Mono.just("oops"));
    case "/bad" -> res.status(400).sendString(Mono.just("nope"));
    case "/big" -> res.status(200).header("Content-Length", Integer.toString(200 * KIB))
        .send(Flux.range(0, 200).map(i -> Unpooled.wrappedBuffer(ONE_KIB)));
    case "/reset" -> res.header("Content-Length", "1000")
        .send(Flux.just(Unpooled.copiedBuffer("0123456789", StandardCharsets.US_ASCII))
            .concatWith(Mono.defer(() -> {
              res.withConnection(c -> c.channel().config().setOption(ChannelOption.SO_LINGER, 0));
              return Mono.error(new IOException("test server resets the connection"));
            })));
    case "/huge" -> res.status(200).header("Content-Length", Long.toString(HUNDRED_MB))
        // Generated lazily, 1 KiB at a time, as the connection asks for it.
        .send(Flux.range(0, (int) (HUNDRED_MB / KIB))
            .map(i -> Unpooled.wrappedBuffer(ONE_KIB))
            .doOnNext(b -> hugeBytesEmitted.addAndGet(KIB))
            .doOnComplete(() -> hugeCompleted.set(true)));
    default -> res.status(404).send();
  });

  WebhookDeliverer deliverer;

  @AfterEach
  void stop() {
    if (deliverer != null) {
      deliverer.disposeLater().block(Duration.ofSeconds(10));
    }
    server.close();
  }

  private double pool(String state) {
    return registry.get(WebhookMetricNames.POOL_CONNECTIONS).tag("state", state).gauge().value();
  }

  @Test
  void tenThousandMixedOutcomesLeaveNoConnectionAcquired() {
    List<String> kinds = List.of("ok", "ok", "ok", "ok", "ok", "ok", "err", "bad", "big", "reset");
    // Breaker and bulkhead out of the way (never judging, never full): every attempt is sent.
    BreakerSettings neverOpens = new BreakerSettings(100, 100_000, 100_000, Duration.ofSeconds(1), 1);
    deliverer = WebhookDeliverer.create(
        Fixtures.loopbackSettings().withBreaker(neverOpens),
        kinds.stream().distinct().map(k -> endpoint(k, server.url("/" + k)).withMaxInFlight(64)).toList(),
        registry);

    List<Outcome> outcomes =
        Flux.range(0, 10_000)
            .flatMap(i -> deliverer.deliver(Deliveries.to(kinds.get(i % kinds.size()))), 64)
            .collectList()
            .block(Duration.ofMinutes(3));

    Map<String, Long> byKind = outcomes.stream().collect(Collectors.groupingBy(
        o -> o instanceof Outcome.Delivered ? "delivered"
            : o instanceof Outcome.Deferred ? "not-sent"
            : o.getClass().getSimpleName(),
        Collectors.counting()));
    // 6000 ok + 1000 big are delivered; 1000 500s and 1000 resets are retries; 1000 400s terminal.
    List<String> odd = new java.util.ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      odd.add(outcomes.get(i).toString());
    }
    odd.removeIf(r -> r.startsWith("Delivered") || r.contains("oops") || r.contains("nope")
        || r.contains("reset") || r.contains("closed by the receiver"));
    assertThat(byKind).as("unexpected outcomes: %s", odd).containsEntry("delivered", 7000L).containsEntry("Retry", 2000L)
        .containsEntry("Terminal", 1000L).doesNotContainKey("not-sent");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(pool("acquired")).as("connections still acquired").isZero();
      assertThat(pool("pending")).as("acquires still pending").isZero();
      assertThat(pool("allocated")).isEqualTo(pool("idle"));
    });
    assertThat(pool("idle")).as("keep-alive connections parked for reuse").isPositive();
    // Keep-alive works: ~2000 closes (reset, over-cap) plus the pools, not one per request.
    assertThat(server.connections()).isLessThan(2000 + 5 * 64 + 100);
    assertThat(server.requests()).hasSize(10_000);
    for (String kind : List.of("ok", "err", "bad", "big", "reset")) {
      assertThat(deliverer.inFlight(kind)).isZero();
    }
  }

  @Test
  void hundredMegabyteBodyIsReadOnlyUpToTheCapAndTheConnectionClosed() {
    deliverer = WebhookDeliverer.create(Fixtures.loopbackSettings(),
        List.of(endpoint("huge", server.url("/huge")), endpoint("ok", server.url("/ok"))), registry);
    long heapBefore = usedHeap();

    assertThat(deliverer.deliver(Deliveries.to("huge")).block(Duration.ofSeconds(30)).with(null))
        .isEqualTo(Outcome.delivered(200));

    // The client closed the connection: the server's lazily generated body never completed, and
    // only a small fraction of it was ever produced (socket buffers' worth).
    await().atMost(Duration.ofSeconds(10)).until(() -> server.closedConnections() == 1);
    assertThat(hugeCompleted).isFalse();
    assertThat(hugeBytesEmitted.get()).isLessThan(32L * 1024 * KIB);
    assertThat(usedHeap() - heapBefore).as("heap growth").isLessThan(64L * 1024 * KIB);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(pool("acquired")).isZero();
      assertThat(pool("allocated")).isZero();
    });
    // The deliverer goes on working.
    assertThat(deliverer.deliver(Deliveries.to("ok")).block(Duration.ofSeconds(10)).with(null))
        .isEqualTo(Outcome.delivered(200));
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
