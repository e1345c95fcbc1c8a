package dev.relay.loadtest.ceiling;

import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.LatencyRecorder;
import dev.relay.loadtest.ledger.LatencySummary;
import dev.relay.loadtest.publish.EventFactory;
import dev.relay.loadtest.publish.OutboundEvent;
import dev.relay.loadtest.receiver.ArrivalListener;
import dev.relay.loadtest.receiver.Receiver;
import dev.relay.webhook.signing.SigningSecret;
import dev.relay.webhook.signing.WebhookHeaders;
import dev.relay.webhook.signing.WebhookSigner;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The HTTP ceiling: the run's events as signed Standard Webhooks POSTs, keep-alive, at the
 * relay's concurrency, straight to the receiver (no database). Measured like a relay drain: from
 * the first send to the receiver's arrival of the last distinct id.
 */
public final class HttpCeiling {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final int WARMUP_ROUND = 10_000;
  private static final int WARMUP_ROUNDS = 10;
  private static final int ROUND_TRIP_WARMUP = 3_000;
  private final Receiver receiver;
  private final WebhookSigner signer;
  private final String defaultPath;

  /** @param defaultPath the path for events that name no endpoint (the run's only endpoint) */
  public HttpCeiling(Receiver receiver, String secret, String defaultPath) {
    this.receiver = receiver;
    this.signer = WebhookSigner.of(List.of(SigningSecret.parse(secret)));
    this.defaultPath = defaultPath;
  }

  /**
   * Posts events 0..n-1 of {@code events} with {@code concurrency} in flight, after unmeasured
   * warm-up rounds (events n.. of the same factory) until the JIT has settled: Reactor Netty
   * needs tens of thousands of requests to reach its steady rate (measured here: 4k/s in the
   * first 20k, 15-18k/s after 80k). Rounds of {@value #WARMUP_ROUND} stop when one is less than
   * 10% faster than the one before, after at most {@value #WARMUP_ROUNDS} rounds.
   */
  public Throughput drain(EventFactory events, DeliveryLedger ledger, long n, int concurrency) {
    ConnectionProvider pool = ConnectionProvider.builder("http-ceiling").maxConnections(concurrency)
        .pendingAcquireMaxCount(concurrency).build();
    LongAdder failures = new LongAdder();
    try {
      HttpClient client = HttpClient.create(pool).disableRetry(true);
      receiver.listen(ArrivalListener.NONE);
      warmUp(client, events, n, concurrency, failures);
      receiver.listen(ledger);
      long start = System.nanoTime();
      postAll(client, events, 0, n, concurrency, failures);
      long end = ledger.completedAtNanos().orElse(System.nanoTime());
      if (failures.sum() > 0) {
        throw new IllegalStateException("HTTP ceiling: " + failures.sum() + " of " + n + " POSTs were not answered 200");
      }
      return Throughput.of(ledger.counts().unique(), (end - start) / 1e9,
          "signed POSTs straight to the receiver, " + concurrency + " in flight, keep-alive");
    } finally {
      pool.disposeLater().block(Duration.ofSeconds(10));
    }
  }

  private void warmUp(HttpClient client, EventFactory events, long first, int concurrency, LongAdder failures) {
    double previous = 0;
    // Small measurements (smoke runs) warm up less.
    int size = (int) Math.min(WARMUP_ROUND, Math.max(1_000, first));
    for (int round = 0; round < WARMUP_ROUNDS; round++) {
      long from = first + (long) round * size;
      long t0 = System.nanoTime();
      postAll(client, events, from, from + size, concurrency, failures);
      double rate = size / ((System.nanoTime() - t0) / 1e9);
      if (rate < previous * 1.1) {
        return;
      }
      previous = rate;
    }
  }

  private void postAll(HttpClient client, EventFactory events, long from, long to, int concurrency,
      LongAdder failures) {
    Flux.range(0, Math.toIntExact(to - from))
        .flatMap(i -> post(client, events.event(from + i, System.nanoTime()))
            .doOnNext(status -> {
              if (status != 200) {
                failures.increment();
              }
            }), concurrency)
        .then().block(TIMEOUT);
  }

  /**
   * Sequential signed POSTs on one connection, after {@value #ROUND_TRIP_WARMUP} unmeasured ones:
   * each request's round trip.
   */
  public LatencySummary roundTrips(EventFactory events, int rounds) {
    ConnectionProvider pool = ConnectionProvider.builder("http-floor").maxConnections(1).build();
    try {
      HttpClient client = HttpClient.create(pool).disableRetry(true);
      receiver.listen(ArrivalListener.NONE);
      LatencyRecorder recorder = new LatencyRecorder();
      for (int i = 0; i < ROUND_TRIP_WARMUP + rounds; i++) {
        long t0 = System.nanoTime();
        post(client, events.event(i, t0)).block(TIMEOUT);
        if (i >= ROUND_TRIP_WARMUP) {
          recorder.recordNanos(System.nanoTime() - t0);
        }
      }
      return recorder.total();
    } finally {
      pool.disposeLater().block(Duration.ofSeconds(10));
    }
  }

  private Mono<Integer> post(HttpClient client, OutboundEvent e) {
    byte[] body = e.payload().getBytes(StandardCharsets.UTF_8);
    long timestamp = System.currentTimeMillis() / 1000;
    String path = e.endpoint() == null ? defaultPath : e.endpoint();
    return client
        .headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json")
            .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
            .set(WebhookHeaders.ID, e.id())
            .set(WebhookHeaders.TIMESTAMP, Long.toString(timestamp))
            .set(WebhookHeaders.SIGNATURE, signer.signatureHeader(e.id(), timestamp, body)))
        .post()
        .uri(receiver.url(path))
        .send(ByteBufFlux.fromInbound(Mono.just(body)))
        .responseSingle((res, content) -> content.then(Mono.just(res.status().code())));
  }
}
