package dev.relay.engine;

import dev.relay.engine.spi.Deliverer;
import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Outcome;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/** A deliverer that records every attempt (which engine, when it started and ended). */
final class RecordingDeliverer implements Deliverer {
  record Attempt(String engine, Delivery delivery, long startNanos, long endNanos) {}

  private final String engine;
  private final Function<Delivery, Mono<Outcome>> behaviour;
  private final List<Attempt> attempts;
  private final AtomicInteger running = new AtomicInteger();
  private final Map<String, AtomicInteger> runningPerEndpoint = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> maxPerEndpoint = new ConcurrentHashMap<>();
  private final AtomicInteger maxRunning = new AtomicInteger();

  RecordingDeliverer(String engine, List<Attempt> sharedLog, Function<Delivery, Mono<Outcome>> behaviour) {
    this.engine = engine;
    this.attempts = sharedLog;
    this.behaviour = behaviour;
  }

  RecordingDeliverer(Function<Delivery, Mono<Outcome>> behaviour) {
    this("engine", new CopyOnWriteArrayList<>(), behaviour);
  }

  static RecordingDeliverer succeeding() {
    return new RecordingDeliverer(d -> Mono.just(Outcome.delivered(200)));
  }

  @Override
  public Mono<Outcome> deliver(Delivery delivery) {
    return Mono.defer(() -> {
      long start = System.nanoTime();
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      int now = runningPerEndpoint.computeIfAbsent(delivery.endpoint(), e -> new AtomicInteger()).incrementAndGet();
      maxPerEndpoint.computeIfAbsent(delivery.endpoint(), e -> new AtomicInteger()).accumulateAndGet(now, Math::max);
      AtomicBoolean ended = new AtomicBoolean();
      Runnable end = () -> {
        if (ended.compareAndSet(false, true)) {
          running.decrementAndGet();
          runningPerEndpoint.get(delivery.endpoint()).decrementAndGet();
          attempts.add(new Attempt(engine, delivery, start, System.nanoTime()));
        }
      };
      // Counted as ended before the outcome travels on, as a real transport frees its slot
      // (Resilience4j's bulkhead releases before emitting).
      return behaviour.apply(delivery)
          .doOnSuccess(o -> end.run())
          .doOnError(e -> end.run())
          .doOnCancel(end);
    });
  }

  List<Attempt> attempts() {
    return attempts;
  }

  int maxConcurrent() {
    return maxRunning.get();
  }

  /** The most attempts that ran at once for {@code endpoint}. */
  int maxConcurrent(String endpoint) {
    AtomicInteger max = maxPerEndpoint.get(endpoint);
    return max == null ? 0 : max.get();
  }

  List<Attempt> attemptsFor(String eventId) {
    return attempts.stream().filter(a -> a.delivery().eventId().equals(eventId)).toList();
  }
}
