package dev.relay.loadtest.publish;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Open loop: event {@code i} is due at {@code start + i / rate}, whatever happened to earlier
 * ones. A 1 ms ticker hands every due event to at most {@code concurrency} publish calls of up
 * to {@code maxBatch} events each; while all calls are busy, ticks are dropped and the due
 * events wait, keeping their intended times (which their payloads carry), so a slow publisher or
 * database shows up as latency instead of silently lowering the rate.
 */
public final class OpenLoop {
  private static final Duration TICK = Duration.ofMillis(1);

  private final double periodNanos;
  private final long total;
  private final int maxBatch;
  private final int concurrency;
  private final EventFactory events;
  private long startNanos;
  private long next;

  /**
   * @param rate events per second
   * @param total events to send
   */
  public OpenLoop(EventFactory events, double rate, long total, int maxBatch, int concurrency) {
    if (rate <= 0) {
      throw new IllegalArgumentException("rate must be positive, was " + rate);
    }
    this.events = events;
    this.periodNanos = 1e9 / rate;
    this.total = total;
    this.maxBatch = maxBatch;
    this.concurrency = concurrency;
  }

  /** Runs the schedule to its end; completes when the last event is committed. */
  public Mono<Void> run(Publisher publisher, PublishProgress progress) {
    return Mono.usingWhen(Mono.fromCallable(() -> Schedulers.newSingle("open-loop-ticker")),
        ticker -> send(ticker, publisher, progress), ticker -> Mono.fromRunnable(ticker::dispose));
  }

  private Mono<Void> send(Scheduler ticker, Publisher publisher, PublishProgress progress) {
    return Mono.defer(() -> {
      startNanos = System.nanoTime();
      next = 0;
      return Flux.interval(Duration.ZERO, TICK, ticker)
          .onBackpressureDrop()
          .map(tick -> due(System.nanoTime()))
          .takeUntil(batches -> next >= total)
          .concatMapIterable(batches -> batches, 1)
          .flatMap(batch -> progress.track(publisher, batch), concurrency, 1)
          .then();
    });
  }

  /** Events due by {@code now} not yet handed out, in batches; at most what the publish calls can take at once. */
  List<List<OutboundEvent>> due(long now) {
    long dueCount = Math.min(total, (long) Math.floor((now - startNanos) / periodNanos) + 1);
    long until = Math.min(dueCount, next + (long) maxBatch * concurrency);
    List<List<OutboundEvent>> batches = new ArrayList<>();
    while (next < until) {
      long end = Math.min(until, next + maxBatch);
      List<OutboundEvent> batch = new ArrayList<>((int) (end - next));
      for (long seq = next; seq < end; seq++) {
        batch.add(events.event(seq, startNanos + Math.round(seq * periodNanos)));
      }
      batches.add(batch);
      next = end;
    }
    return batches;
  }

  /** Total events this schedule sends. */
  public long total() {
    return total;
  }
}
