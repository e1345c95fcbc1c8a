package dev.relay.loadtest.publish;

import dev.relay.loadtest.ledger.LatencyRecorder;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Mono;

/**
 * What a publisher has done: events committed, and how late each publish call started compared
 * with its intended time (open loop: large lag means the publisher, not the relay, fell behind).
 */
public final class PublishProgress {
  private final LongAdder published = new LongAdder();
  private final LatencyRecorder lag = new LatencyRecorder();

  public long published() {
    return published.sum();
  }

  public LatencyRecorder lag() {
    return lag;
  }

  /** Publishes {@code events} through {@code publisher}, recording the start lag and the commit. */
  public Mono<Void> track(Publisher publisher, List<OutboundEvent> events) {
    return Mono.defer(() -> {
      starting(events);
      return publisher.publish(events).doOnSuccess(v -> published.add(events.size()));
    });
  }

  private void starting(List<OutboundEvent> events) {
    long now = System.nanoTime();
    for (OutboundEvent e : events) {
      lag.recordNanos(now - e.intendedNanos());
    }
  }
}
