package dev.relay.loadtest.publish;

import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Closed loop: publishes events 0..n-1 as fast as the database takes them, in statements of {@code batch}. */
public final class Backlog {
  private Backlog() {}

  public static Mono<Void> publish(Publisher publisher, EventFactory events, long n, int batch, int concurrency,
      PublishProgress progress) {
    long batches = (n + batch - 1) / batch;
    return Flux.range(0, Math.toIntExact(batches))
        .flatMap(b -> Mono.defer(() -> {
          long from = (long) b * batch;
          long to = Math.min(n, from + batch);
          long now = System.nanoTime();
          List<OutboundEvent> list = new ArrayList<>((int) (to - from));
          for (long seq = from; seq < to; seq++) {
            list.add(events.event(seq, now));
          }
          return progress.track(publisher, list);
        }), concurrency)
        .then();
  }
}
