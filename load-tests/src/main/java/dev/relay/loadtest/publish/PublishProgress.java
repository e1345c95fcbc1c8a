package dev.relay.loadtest.publish;

import dev.relay.loadtest.ledger.CommitListener;
import dev.relay.loadtest.ledger.LatencyRecorder;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Mono;

/**
 * What a publisher has done: events committed, and how late each publish call started compared
 * with its intended time (open loop: large lag means the publisher, not the relay, fell behind).
 * Commits are also told to a {@link CommitListener} (the phase's ledger), so latency can be split
 * into the publishing side and the relay's side.
 */
public final class PublishProgress {
  private final LongAdder published = new LongAdder();
  private final LatencyRecorder lag = new LatencyRecorder();
  private final CommitListener commits;

  public PublishProgress() {
    this(CommitListener.NONE);
  }

  public PublishProgress(CommitListener commits) {
    this.commits = commits;
  }

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
      return publisher.publish(events).doOnSuccess(v -> {
        commits.committed(events.stream().map(OutboundEvent::id).toList(), System.nanoTime());
        published.add(events.size());
      });
    });
  }

  private void starting(List<OutboundEvent> events) {
    long now = System.nanoTime();
    for (OutboundEvent e : events) {
      lag.recordNanos(now - e.intendedNanos());
    }
  }
}
