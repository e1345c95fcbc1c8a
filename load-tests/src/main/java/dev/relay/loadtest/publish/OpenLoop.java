package dev.relay.loadtest.publish;

import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Open loop: event {@code i} is due at {@code start + i / rate}, whatever happened to earlier
 * ones. A 1 ms ticker hands every due event to at most {@code concurrency} publish calls of up
 * to {@code maxBatch} events each; while all calls are busy, ticks are dropped and the due
 * events wait, keeping their intended times (which their payloads carry), so a slow publisher or
 * database shows up as latency instead of silently lowering the rate (no coordinated omission).
 */
public final class OpenLoop {
  private static final Duration TICK = Duration.ofMillis(1);

  private final EventFactory events;
  private final double periodNanos;
  private final long total;
  private final int maxBatch;
  private final int concurrency;

  /**
   * @param rate events per second
   * @param total events to send
   * @param maxBatch most events per publish statement
   * @param concurrency publish calls at once
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

  /**
   * Runs the schedule; completes when the last event handed out is committed. If publishing falls
   * more than {@code maxOverrun} behind the end of the schedule, no further events are handed
   * out (the ones in flight still commit): the events sent are then a prefix 0..k-1 of the
   * schedule, and {@link PublishProgress#published()} says k.
   */
  public Mono<Void> run(Publisher publisher, PublishProgress progress, Duration maxOverrun) {
    return Mono.usingWhen(Mono.fromCallable(() -> Schedulers.newSingle("open-loop-ticker")),
        ticker -> send(ticker, publisher, progress, maxOverrun), ticker -> Mono.fromRunnable(ticker::dispose));
  }

  private Mono<Void> send(Scheduler ticker, Publisher publisher, PublishProgress progress, Duration maxOverrun) {
    return Mono.defer(() -> {
      long start = System.nanoTime();
      long cutOff = start + Math.round(total * periodNanos) + maxOverrun.toNanos();
      DueEvents due = new DueEvents(events, periodNanos, total, maxBatch, concurrency, start);
      return Flux.interval(Duration.ZERO, TICK, ticker)
          .onBackpressureDrop()
          .takeWhile(tick -> System.nanoTime() < cutOff)
          .map(tick -> due.take(System.nanoTime()))
          .takeUntil(batches -> due.exhausted())
          .concatMapIterable(batches -> batches, 1)
          .flatMap(batch -> progress.track(publisher, batch), concurrency, 1)
          .then();
    });
  }
}
