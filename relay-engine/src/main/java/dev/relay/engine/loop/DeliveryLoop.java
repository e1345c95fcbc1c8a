package dev.relay.engine.loop;

import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.db.Database;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.spi.Deliverer;
import dev.relay.engine.spi.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Claim, deliver, settle; capacity returns after the settle and asks for the next claim.
 *
 * <pre>
 * wake (NOTIFY, poll, retry timer, capacity) ─► claim ─► deliver (≤ max in flight) ─► settle (batched)
 * </pre>
 *
 * Wakeups coalesce (only the latest pending one is kept) and claims run one at a time, so a
 * burst of notifications costs one claim. A claim that filled its batch wakes the loop again;
 * one that found no free slot marks the backlog so the next settle does.
 */
public final class DeliveryLoop {
  private static final Logger log = LoggerFactory.getLogger(DeliveryLoop.class);
  private static final Object WAKE = "wake";
  private static final Object POLL = "poll";

  private final Database database;
  private final EngineConfig config;
  private final Deliverer deliverer;
  private final EngineMetrics metrics;
  private final Claimer claimer;
  private final Settler settler;
  private final Settlements settlements;
  private final Capacity capacity;
  private final Scheduler timers = Schedulers.parallel();
  private final Map<Long, Claimed> held = new ConcurrentHashMap<>();
  private final Sinks.Empty<Void> finished = Sinks.empty();

  private volatile @Nullable FluxSink<Object> wakeups;
  private volatile @Nullable Disposable pipeline;
  private volatile boolean backlogged;
  private volatile boolean stopping;
  private volatile boolean notifyHealthy;
  private @Nullable Disposable retryTimer;
  private long retryTimerAt;
  private @Nullable Disposable pollTimer;

  private final Scheduler attemptClock;

  public DeliveryLoop(Database database, EngineConfig config, Deliverer deliverer, EngineMetrics metrics) {
    this(database, config, deliverer, metrics, Schedulers.parallel());
  }

  /** {@code attemptClock} times attempts; tests stop it to play a frozen relay. */
  public DeliveryLoop(Database database, EngineConfig config, Deliverer deliverer, EngineMetrics metrics,
      Scheduler attemptClock) {
    this.attemptClock = attemptClock;
    this.database = database;
    this.config = config;
    this.deliverer = deliverer;
    this.metrics = metrics;
    this.claimer = new Claimer(database.pool(), database.sql(), config);
    this.settler = new Settler(database.pool(), database.sql());
    this.settlements = new Settlements(new Backoff(config.retry(), () -> ThreadLocalRandom.current().nextDouble()));
    this.capacity = new Capacity(config);
    metrics.inFlight(capacity::inFlight);
  }

  public void start() {
    Flux<Object> triggers = Flux.create(sink -> wakeups = sink, FluxSink.OverflowStrategy.LATEST);
    pipeline = triggers
        .concatMap(this::claim, 1)
        .flatMap(this::attempt, config.maxInFlight())
        .bufferTimeout(config.settleBatchSize(), config.settleLinger(), true)
        // Settles touch disjoint rows, so two may run at once; the pool bounds the rest.
        .flatMap(this::settle, 2)
        .subscribe(
            ignored -> {},
            e -> {
              log.error("Delivery loop failed; claimed rows return when their leases expire", e);
              finished.tryEmitEmpty();
            },
            finished::tryEmitEmpty);
    schedulePoll();
    wake();
  }

  /** Asks for a claim soon. Cheap and safe from any thread; bursts coalesce. */
  public void wake() {
    FluxSink<Object> sink = wakeups;
    if (sink != null && !stopping) {
      sink.next(WAKE);
    }
  }

  /** Whether NOTIFY is known to work; if not, the loop polls at the faster interval. */
  public void notifyHealthy(boolean healthy) {
    boolean changed = notifyHealthy != healthy;
    notifyHealthy = healthy;
    if (changed && pipeline != null) {
      schedulePoll();
    }
  }

  public int inFlight() {
    return capacity.inFlight();
  }

  private Flux<Claimed> claim(Object trigger) {
    return Flux.defer(() -> {
      if (stopping) {
        return Flux.empty();
      }
      int free = capacity.free();
      if (free == 0) {
        backlogged = true;
        return Flux.empty();
      }
      int limit = Math.min(free, config.claimBatchSize());
      Set<String> unavailable = deliverer.unavailableEndpoints();
      long started = System.nanoTime();
      Flux<Claimed> claimed = claimer.claim(limit, capacity.caps(), capacity.defaultCap(), unavailable)
          .doOnNext(batch -> {
            metrics.claimed(batch.size(), System.nanoTime() - started);
            for (Claimed c : batch) {
              held.put(c.delivery().id(), c);
              capacity.take(c.delivery().endpoint());
            }
            if (batch.size() == limit) {
              backlogged = true;
              wake();
            }
          })
          .onErrorResume(e -> {
            log.warn("Claim failed ({}); the next wakeup or poll tries again", e.toString());
            return Mono.just(List.of());
          })
          .flatMapIterable(batch -> batch);
      return trigger == POLL ? claimed.concatWith(refreshRetryTimer()) : claimed;
    });
  }

  private Mono<Settlement> attempt(Claimed claimed) {
    return Mono.defer(() -> deliverer.deliver(claimed.delivery()))
        .timeout(config.attemptTimeout(), attemptClock)
        .switchIfEmpty(Mono.fromSupplier(() -> Outcome.retry("deliverer returned no outcome")))
        .onErrorResume(e -> Mono.just(failed(e)))
        .map(outcome -> settlements.settle(claimed, outcome));
  }

  private Outcome failed(Throwable e) {
    if (e instanceof TimeoutException) {
      return Outcome.retry("attempt timed out after " + config.attemptTimeout().toMillis() + " ms");
    }
    log.warn("Deliverer failed instead of returning an outcome", e);
    return Outcome.retry("deliverer failed: " + e);
  }

  private Mono<Void> settle(List<Settlement> batch) {
    return settler.settle(batch)
        .retryWhen(Retry.backoff(3, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(1)))
        .doOnNext(settled -> record(batch, settled))
        .onErrorResume(e -> {
          metrics.settleFailed();
          log.error("Settling {} deliveries failed ({}); they are attempted again when their leases expire",
              batch.size(), e.toString());
          return Mono.empty();
        })
        .doOnSuccess(ignored -> release(batch))
        .then();
  }

  private void record(List<Settlement> batch, List<Settler.Settled> settled) {
    Map<Long, Settlement> byId = new HashMap<>();
    batch.forEach(s -> byId.put(s.claimed().delivery().id(), s));
    for (Settler.Settled s : settled) {
      switch (s.state()) {
        case Settlement.DELIVERED -> metrics.delivered(s.endpoint(), s.ageSeconds());
        case Settlement.DEAD -> metrics.dead(s.endpoint());
        default -> {
          if (byId.get(s.id()).refund() > 0) {
            metrics.deferred(s.endpoint());
          } else {
            metrics.retried(s.endpoint());
          }
        }
      }
    }
    if (settled.size() < batch.size()) {
      metrics.staleSettles(batch.size() - settled.size());
      log.warn("{} of {} settles were refused: their leases had passed to another claim",
          batch.size() - settled.size(), batch.size());
    }
    for (Settlement s : batch) {
      if (Settlement.DEAD.equals(s.state())) {
        log.warn("Delivery {} to {} (event {}) is dead after {} attempt(s): {}", s.claimed().delivery().id(),
            s.endpoint(), s.claimed().delivery().eventId(), s.claimed().delivery().attempt(), s.error());
      }
    }
  }

  private void release(List<Settlement> batch) {
    long earliestRetry = Long.MAX_VALUE;
    for (Settlement s : batch) {
      held.remove(s.claimed().delivery().id());
      capacity.give(s.endpoint());
      if (Settlement.PENDING.equals(s.state())) {
        earliestRetry = Math.min(earliestRetry, s.delayMillis());
      }
    }
    if (earliestRetry != Long.MAX_VALUE) {
      wakeIn(earliestRetry);
    }
    if (backlogged) {
      backlogged = false;
      wake();
    }
  }

  /** Keeps one timer, for the earliest known future retry. */
  private synchronized void wakeIn(long delayMillis) {
    long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
    if (retryTimer != null && !retryTimer.isDisposed() && retryTimerAt - at <= 0) {
      return;
    }
    if (retryTimer != null) {
      retryTimer.dispose();
    }
    retryTimerAt = at;
    // A few ms late is fine; early would find nothing due (due times are database time).
    retryTimer = timers.schedule(this::wake, delayMillis + 5, TimeUnit.MILLISECONDS);
  }

  /** After a poll: find the earliest future due row (any relay's retries) and set the timer. */
  private Mono<Claimed> refreshRetryTimer() {
    return database.queries()
        .one(database.sql().nextDue(), row -> {
          Number ms = row.get(0, Number.class);
          return ms == null ? -1L : ms.longValue();
        })
        .doOnNext(ms -> {
          if (ms >= 0 && ms < pollInterval().toMillis()) {
            wakeIn(ms);
          }
        })
        .onErrorResume(e -> Mono.empty())
        .then(Mono.empty());
  }

  private Duration pollInterval() {
    return notifyHealthy ? config.pollInterval() : config.pollIntervalWithoutNotify();
  }

  private synchronized void schedulePoll() {
    if (pollTimer != null) {
      pollTimer.dispose();
    }
    if (stopping) {
      return;
    }
    long period = pollInterval().toMillis();
    pollTimer = timers.schedulePeriodically(this::poll, period, period, TimeUnit.MILLISECONDS);
  }

  private void poll() {
    FluxSink<Object> sink = wakeups;
    if (sink != null && !stopping) {
      sink.next(POLL);
    }
  }

  /**
   * Stops claiming and waits up to {@code grace} for in-flight deliveries to settle. Whatever is
   * still running then is cancelled and its leases handed back (due now, attempt not counted),
   * so another relay picks it up at once instead of after the lease.
   */
  public Mono<Void> stop(Duration grace) {
    return Mono.defer(() -> {
      stopping = true;
      synchronized (this) {
        if (pollTimer != null) {
          pollTimer.dispose();
        }
        if (retryTimer != null) {
          retryTimer.dispose();
        }
      }
      FluxSink<Object> sink = wakeups;
      if (sink == null) {
        return Mono.empty();
      }
      sink.complete();
      return finished.asMono()
          .timeout(grace)
          .onErrorResume(TimeoutException.class, e -> {
            Disposable p = pipeline;
            if (p != null) {
              p.dispose();
            }
            List<Claimed> unfinished = new ArrayList<>(held.values());
            log.warn("Grace period of {} over; releasing {} unfinished deliveries", grace, unfinished.size());
            return settler.release(unfinished)
                .doOnNext(n -> held.clear())
                .then();
          });
    });
  }
}
