package dev.relay.app.demo;

import dev.relay.engine.publish.MessagePublisher;
import dev.relay.engine.publish.PublishRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Publishes a few sample events per second through {@code relay.publish(...)}, the same SQL
 * function an application calls in its own transaction.
 */
final class SamplePublisher {
  private static final Logger log = LoggerFactory.getLogger(SamplePublisher.class);
  private static final List<String> TYPES =
      List.of("invoice.created", "invoice.paid", "customer.updated", SampleReceiver.FLAKY_TYPE);

  private final MessagePublisher publisher;
  private final AtomicLong published = new AtomicLong();

  SamplePublisher(MessagePublisher publisher) {
    this.publisher = publisher;
  }

  Disposable start(double perSecond) {
    Duration every = Duration.ofMillis(Math.max(10, (long) (1000 / perSecond)));
    return Flux.interval(Duration.ofMillis(500), every)
        .onBackpressureDrop()
        .concatMap(n -> publishOne(n).onErrorResume(e -> {
          log.warn("Sample publish failed: {}", e.toString());
          return Mono.empty();
        }))
        .subscribe();
  }

  private Mono<Long> publishOne(long n) {
    String type = TYPES.get((int) (n % TYPES.size()));
    int amount = ThreadLocalRandom.current().nextInt(100, 100_000);
    String payload = "{\"type\":\"" + type + "\",\"data\":{\"id\":" + (1000 + n) + ",\"amount\":" + amount
        + ",\"currency\":\"EUR\"}}";
    PublishRequest request = new PublishRequest(type, payload, "customer-" + (n % 7), null, null);
    Mono<Long> sent = publisher.publish(request).doOnNext(id -> published.incrementAndGet());
    // Paid invoices also go to the customer's own endpoint, created at runtime: published to its
    // tenant (a tenant's endpoints get only what is published to it or addressed to them).
    return type.equals("invoice.paid")
        ? sent.then(publisher.publish(request.withTenant(Demo.RUNTIME_TENANT)).doOnNext(id -> published.incrementAndGet()))
        : sent;
  }

  long published() {
    return published.get();
  }
}
