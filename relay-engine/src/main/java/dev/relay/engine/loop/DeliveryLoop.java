package dev.relay.engine.loop;

import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.db.Database;
import dev.relay.engine.logging.EveryFew;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.spi.Deliverer;
import dev.relay.engine.spi.Exchange;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.time.Deadlines;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Claim, queue per endpoint, deliver, settle.
 *
 * <pre>
 * signal (NOTIFY, poll, retry timer, freed slot, landed settle)
 *   ─► claim (one at a time; discovery or targeted, see {@link Lanes})
 *   ─► lanes (per-endpoint queues; an attempt starts when the endpoint has a free slot)
 *   ─► deliver (≤ max in flight) ─► settle (batched, fenced, retried until it lands or the lease is gone)
 * </pre>
 *
 * Signals coalesce: while a claim runs, any number of signals make exactly one more claim, which
 * plans from the state at that moment. Attempts free their endpoint's slot when they end, not
 * when their settle lands, so the round trips of claim and settle overlap with deliveries instead
 * of adding to them.
 */
public final class DeliveryLoop {
  private static final Logger log = LoggerFactory.getLogger(DeliveryLoop.class);
  /** While a failure lasts, one line per 10 s per kind, not one per claim or retry. */
  private final EveryFew claimFailures = new EveryFew(log, Duration.ofSeconds(10));
  private final EveryFew settleFailures = new EveryFew(log, Duration.ofSeconds(10));
  private static final Object SIGNAL = "signal";
  private static final Object POLL = "poll";
  /** Probes after endpoints stop being drained, for publishers that commit long after their insert. */
  private static final Duration[] LATE_PROBES = {Duration.ofMillis(50), Duration.ofMillis(500)};

  private final Database database;
  private final EngineConfig config;
  private final Deliverer deliverer;
  private final EngineMetrics metrics;
  private final UUID instance;
  private final Claimer claimer;
  private final Settler settler;
  private final Settlements settlements;
  private final Lanes lanes;
  private final Scheduler timers = Schedulers.parallel();
  private final WakeTimers retryTimers;
  private final Scheduler attemptClock;
  /** Wall-clock start of each attempt, for the attempt history only (never due or lease arithmetic). */
  private final Clock clock = Clock.systemUTC();
  private final Map<Long, Claimed> holding = new ConcurrentHashMap<>();
  private final Sinks.Empty<Void> finished = Sinks.empty();
  private final Disposable.Composite running = Disposables.composite();

  private volatile @Nullable FluxSink<Object> signals;
  private volatile @Nullable FluxSink<Work> work;
  private volatile boolean notifyHealthy;
  private volatile @Nullable Throwable failure;
  /** When a claim or settle last completed ({@link System#nanoTime()}), and the last error since. */
  private volatile long lastProgressNanos = System.nanoTime();
  private volatile @Nullable String lastError;
  private @Nullable Disposable pollTimer;

  /** {@code attemptClock} times attempts; tests stop it to play a frozen relay. */
  public DeliveryLoop(Database database, EngineConfig config, Deliverer deliverer, EngineMetrics metrics,
      UUID instance, Scheduler attemptClock) {
    this.database = database;
    this.config = config;
    this.deliverer = deliverer;
    this.metrics = metrics;
    this.instance = instance;
    this.attemptClock = attemptClock;
    this.claimer = new Claimer(database.queries(), database.sql(), config, instance);
    this.settler = new Settler(database.queries(), database.sql(), instance, config.autoDisable());
    this.settlements = new Settlements(new Backoff(config.retry(), () -> ThreadLocalRandom.current().nextDouble()));
    this.lanes = new Lanes(config);
    this.retryTimers = new WakeTimers(timers, this::wake);
    metrics.inFlight(lanes::held);
    metrics.progressAge(() -> sinceProgress().toMillis() / 1000.0);
  }

  public void start() {
    Flux<Object> triggers = Flux.create(sink -> signals = sink, FluxSink.OverflowStrategy.LATEST);
    Flux<Work> ready = Flux.create(sink -> work = sink, FluxSink.OverflowStrategy.BUFFER);
    running.add(triggers
        .concatMap(this::claim, 1)
        .subscribe(ignored -> {}, this::died));
    running.add(ready
        // Never more than max-in-flight: every work item is a row held.
        .flatMap(this::run, config.maxInFlight())
        .bufferTimeout(config.settleBatchSize(), config.settleLinger(), true)
        // Settles touch disjoint rows, so two may run at once; the pool bounds the rest.
        .flatMap(this::settle, 2)
        .subscribe(ignored -> {}, this::died, finished::tryEmitEmpty));
    schedulePoll();
    wake();
  }

  /** Asks for a claim that walks every endpoint with due rows. Cheap and safe from any thread; bursts coalesce. */
  public void wake() {
    lanes.discover();
    signal();
  }

  /** Whether NOTIFY is known to work; if not, the loop polls at the faster interval. */
  public void notifyHealthy(boolean healthy) {
    boolean changed = notifyHealthy != healthy;
    notifyHealthy = healthy;
    if (changed && signals != null) {
      schedulePoll();
    }
  }

  /** Rows claimed and not yet settled. */
  public int inFlight() {
    return lanes.held();
  }

  /** How long since a claim or settle last completed: the loop's progress. */
  public Duration sinceProgress() {
    return Duration.ofNanos(System.nanoTime() - lastProgressNanos);
  }

  /**
   * How long without progress means the loop is stalled: three poll intervals (every poll claims,
   * so a working loop completes a claim at least that often) or, when every slot is taken by
   * attempts, the attempt timeout (one of them then ends and settles), whichever is longer, plus
   * the statement timeout.
   */
  public Duration stallLimit() {
    Duration polls = pollInterval().multipliedBy(3);
    Duration attempts = config.attemptTimeout();
    return (polls.compareTo(attempts) > 0 ? polls : attempts).plus(database.config().statementTimeout());
  }

  /** The last claim or settle error since the loop last made progress, if any. */
  public @Nullable String lastError() {
    return lastError;
  }

  private void progressed() {
    lastProgressNanos = System.nanoTime();
    lastError = null;
  }

  /** Why the pipeline stopped, if it died (a bug or an Error); null while it runs. */
  public @Nullable Throwable failure() {
    return failure;
  }

  private void signal() {
    FluxSink<Object> sink = signals;
    if (sink != null) {
      sink.next(SIGNAL);
    }
  }

  private Mono<Void> claim(Object trigger) {
    return Mono.defer(() -> {
      ClaimPlan plan = lanes.plan(deliverer.unavailableEndpoints(), System.nanoTime());
      Mono<Void> claim = plan == null ? Mono.empty() : writeMarks(plan)
          .then(Mono.defer(() -> claimRows(plan)))
          .onErrorResume(e -> {
            lanes.claimFailed(plan);
            lastError = "claim failed: " + e;
            claimFailures.warn("Claim failed ({}); the next wakeup or poll tries again", e.toString());
            return Mono.empty();
          });
      return trigger == POLL ? claim.then(refreshRetryTimer()) : claim;
    });
  }

  private Mono<Void> claimRows(ClaimPlan plan) {
    List<String> only = plan.only();
    if (only != null && only.isEmpty()) {
      return Mono.empty();
    }
    long started = System.nanoTime();
    return claimer.claim(plan).doOnNext(rows -> admit(plan, rows, System.nanoTime() - started)).then();
  }

  /**
   * Writes the plan's draining marks before its claim. After endpoints are unmarked, publishes to
   * them notify again; the claim that follows probes them once more, and two later probes catch
   * a publisher whose transaction committed long after its insert, while the mark was still set.
   */
  private Mono<Void> writeMarks(ClaimPlan plan) {
    if (!plan.marks()) {
      return Mono.empty();
    }
    return database.queries()
        .update(database.sql().setDraining(), instance, plan.drainingOn().toArray(String[]::new),
            plan.drainingOff().toArray(String[]::new))
        .doOnSuccess(n -> {
          lanes.marksWritten(plan);
          if (!plan.drainingOff().isEmpty()) {
            retryTimers.wakeIn(LATE_PROBES[0].toMillis());
            retryTimers.wakeIn(LATE_PROBES[1].toMillis());
          }
        })
        .then();
  }

  private void admit(ClaimPlan plan, List<Claimed> rows, long nanos) {
    progressed();
    metrics.claimed(rows.size(), nanos);
    for (Claimed c : rows) {
      holding.put(c.delivery().id(), c);
    }
    emit(lanes.admit(plan, rows, System.nanoTime()));
    // Plan again: more may be due, or a lane that fell asleep has its mark to clear (the plan
    // decides whether there is anything to do). A lingering or paced lane claims again at its time.
    signal();
    long linger = lanes.lingerNanos(System.nanoTime());
    if (linger >= 0) {
      timers.schedule(this::signal, linger, TimeUnit.NANOSECONDS);
    }
  }

  private void emit(List<Work> items) {
    FluxSink<Work> sink = work;
    if (sink != null) {
      items.forEach(sink::next);
    }
  }

  /** One work item to a settlement: an attempt, or a row handed back unattempted. */
  private Mono<Settlement> run(Work item) {
    Settlement handBack = item.handBack();
    if (handBack != null) {
      return Mono.just(handBack);
    }
    Claimed claimed = item.claimed();
    String undeliverable = claimed.undeliverable();
    return Mono.defer(() -> {
      Instant startedAt = clock.instant();
      long started = System.nanoTime();
      Mono<Outcome> attempt = undeliverable != null
          ? Mono.just(Outcome.terminal("undeliverable: " + undeliverable
              + " (inserted without relay.publish?); not sent"))
          : Mono.defer(() -> deliverer.deliver(claimed.delivery()));
      return Deadlines.within(attempt, config.attemptTimeout(), attemptClock, TimeoutException::new)
          .switchIfEmpty(Mono.fromSupplier(() -> Outcome.retry("deliverer returned no outcome")))
          .onErrorResume(e -> Mono.just(failed(e)))
          .map(outcome -> {
            long now = System.nanoTime();
            // The deliverer's own account wins; otherwise (timeout, unsent, a deliverer that does
            // not say) the history gets the loop's timing and no excerpt.
            Outcome timed = outcome.exchange() != null ? outcome
                : outcome.with(new Exchange(startedAt, Duration.ofNanos(now - started), null));
            Settlement settlement = settlements.settle(claimed, timed);
            emit(lanes.finished(claimed, settlement.holdMillis(), now - started,
                !(outcome instanceof Outcome.Deferred), now));
            signal();
            return settlement;
          });
    });
  }

  private Outcome failed(Throwable e) {
    if (e instanceof TimeoutException) {
      return Outcome.retry("attempt timed out after " + config.attemptTimeout().toMillis() + " ms");
    }
    log.warn("Deliverer failed instead of returning an outcome", e);
    return Outcome.retry("deliverer failed: " + e);
  }

  /**
   * Writes a batch. A failed write is kept and retried with backoff until it lands or every
   * lease in it has certainly ended (then the rows come back by themselves, and a delivered one
   * is sent again: the only way a database outage turns into a duplicate).
   */
  private Mono<Void> settle(List<Settlement> batch) {
    long giveUpAt = batch.stream().mapToLong(s -> s.claimed().leaseGoneNanos()).max().orElse(0);
    return settler.settle(batch)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
            .maxBackoff(Duration.ofSeconds(2))
            .jitter(0.5)
            .filter(e -> System.nanoTime() - giveUpAt < 0)
            .doBeforeRetry(s -> {
              lastError = "settle failed: " + s.failure();
              if (s.totalRetries() == 0) {
                settleFailures.warn("Settling {} deliveries failed ({}); retrying until it lands or their leases end",
                    batch.size(), s.failure().toString());
              }
            }))
        .doOnNext(result -> {
          progressed();
          record(batch, result.settled());
          result.streaks().forEach(this::reportStreak);
        })
        .onErrorResume(e -> {
          metrics.settleFailed();
          log.error("Gave up settling {} deliveries ({}): their leases ended; they are attempted again",
              batch.size(), e.toString());
          return Mono.empty();
        })
        .then(Mono.fromRunnable(() -> landed(batch)));
  }

  private void record(List<Settlement> batch, List<Settler.Settled> settled) {
    Map<Long, Settlement> byId = new HashMap<>();
    batch.forEach(s -> byId.put(s.claimed().delivery().id(), s));
    for (Settler.Settled s : settled) {
      switch (s.state()) {
        case Settlement.DELIVERED -> metrics.delivered(s.endpoint(), s.ageSeconds());
        case Settlement.DEAD -> metrics.dead(s.endpoint());
        // A retry the settle turned into superseded (a later message of its supersede key is
        // pending): counted by the superseded gauge, which reads the database, not as a retry.
        case Settlement.SUPERSEDED -> { }
        default -> {
          Settlement mine = byId.get(s.id());
          if (mine.refund() > 0 && mine.error() == null) {
            metrics.handedBack(s.endpoint());
          } else if (mine.refund() > 0) {
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

  /**
   * A failing endpoint this relay's settle warned or disabled. The settle returns each streak's
   * warning and disabling to exactly one relay, so each is logged once in all.
   */
  private void reportStreak(Settler.Streak s) {
    String age = Streaks.describe(s.failingSeconds());
    if (s.disabled()) {
      metrics.endpointAutoDisabled();
      log.error("Endpoint {} disabled automatically: every attempt failed for {} ({} attempts); its pending "
          + "deliveries are kept and not attempted until an operator resumes it (POST /admin/endpoints/{}/resume). "
          + "Reason: {}",
          s.endpoint(), age, s.failedAttempts(), s.endpoint(), s.reason());
    } else {
      metrics.endpointWarned();
      log.warn("Endpoint {} is failing: every attempt failed for {} ({} attempts). It will be disabled "
          + "automatically once this has lasted {} with at least {} failed attempts, unless an attempt succeeds",
          s.endpoint(), age, s.failedAttempts(), Streaks.describe(config.autoDisable().after().toSeconds()),
          config.autoDisable().minFailedAttempts());
    }
  }

  /** A batch is written (or given up): its rows free their slots; retries get their timers. */
  private void landed(List<Settlement> batch) {
    for (Settlement s : batch) {
      holding.remove(s.claimed().delivery().id());
      if (!s.terminal() && s.delayMillis() > 0) {
        retryTimers.wakeIn(s.delayMillis());
      }
      if (s.holdMillis() != null) {
        retryTimers.wakeIn(s.holdMillis());
      }
    }
    if (lanes.settled(batch)) {
      FluxSink<Work> sink = work;
      if (sink != null) {
        sink.complete();
      }
    }
    signal();
  }

  /** After a poll: find the earliest future due row (any relay's retries, expiring leases) and time it. */
  private Mono<Void> refreshRetryTimer() {
    return database.queries()
        .one(database.sql().nextDue(), row -> {
          Number ms = row.get(0, Number.class);
          return ms == null ? -1L : ms.longValue();
        }, instance)
        .doOnNext(ms -> {
          if (ms >= 0 && ms < 2 * pollInterval().toMillis()) {
            retryTimers.wakeIn(ms);
          }
        })
        .onErrorResume(e -> Mono.empty())
        .then();
  }

  private Duration pollInterval() {
    return notifyHealthy ? config.pollInterval() : config.pollIntervalWithoutNotify();
  }

  private synchronized void schedulePoll() {
    if (pollTimer != null) {
      pollTimer.dispose();
    }
    if (lanes.stopping()) {
      return;
    }
    long period = pollInterval().toMillis();
    pollTimer = timers.schedulePeriodically(this::poll, period, period, TimeUnit.MILLISECONDS);
  }

  private void poll() {
    lanes.discover();
    FluxSink<Object> sink = signals;
    if (sink != null) {
      sink.next(POLL);
    }
  }

  private void died(Throwable e) {
    failure = e;
    log.error("Delivery loop failed; claimed rows return when their leases expire", e);
    finished.tryEmitEmpty();
  }

  /**
   * Stops claiming; rows still queued are handed back at once; running attempts get up to
   * {@code grace} to finish and settle. Whatever still runs then is cancelled and its leases
   * handed back (due now, attempt not counted), so another relay picks it up at once instead of
   * after the lease.
   */
  public Mono<Void> stop(Duration grace) {
    return Mono.defer(() -> {
      List<Work> handBacks = lanes.stop(System.nanoTime());
      synchronized (this) {
        if (pollTimer != null) {
          pollTimer.dispose();
        }
      }
      retryTimers.stop();
      FluxSink<Object> sink = signals;
      if (sink == null) {
        return Mono.empty();
      }
      sink.complete();
      emit(handBacks);
      if (lanes.held() == 0) {
        FluxSink<Work> w = work;
        if (w != null) {
          w.complete();
        }
      }
      return finished.asMono()
          .timeout(grace)
          .onErrorResume(TimeoutException.class, e -> {
            running.dispose();
            List<Claimed> unfinished = new ArrayList<>(holding.values());
            log.warn("Grace period of {} over; releasing {} unfinished deliveries", grace, unfinished.size());
            return settler.release(unfinished)
                .doOnNext(n -> holding.clear())
                .then();
          });
    });
  }
}
