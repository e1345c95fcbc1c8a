package dev.relay.app.endpoints;

import dev.relay.engine.RelayEngine;
import dev.relay.engine.endpoint.RuntimeEndpoints;
import dev.relay.engine.logging.EveryFew;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Keeps what a relay holds of runtime endpoints true: on a change notification it drops the
 * endpoint at once (the next delivery reads it again) and seals new secrets; every poll interval
 * it compares the versions it holds with the database's (a lost notification costs at most one
 * interval) and seals what is left; now and then it re-seals secrets under an older key.
 */
public final class RuntimeWatcher {
  private static final Logger log = LoggerFactory.getLogger(RuntimeWatcher.class);
  /** How often secrets sealed under an older key are looked for (also once at start). */
  static final Duration RESEAL_EVERY = Duration.ofMinutes(10);

  private final RuntimeEndpoints store;
  private final SecretSealing sealing;
  private final Supplier<Map<String, Long>> held;
  private final Consumer<String> forget;
  private final Runnable evictIdle;
  private final EveryFew warnings = new EveryFew(log, Duration.ofMinutes(1));
  private final Sinks.Many<Boolean> sealSoon = Sinks.many().multicast().directBestEffort();

  /**
   * @param held the versions of the endpoints the deliverer holds
   * @param forget drops one endpoint from the deliverer
   */
  public RuntimeWatcher(RuntimeEndpoints store, SecretSealing sealing, Supplier<Map<String, Long>> held,
      Consumer<String> forget, Runnable evictIdle) {
    this.store = store;
    this.sealing = sealing;
    this.held = held;
    this.forget = forget;
    this.evictIdle = evictIdle;
  }

  /** Starts watching; dispose the result to stop. */
  public Disposable start(RelayEngine engine, Duration pollInterval) {
    engine.onEndpointChange(name -> {
      if (name != null) {
        forget.accept(name);
      }
      sealSoon.tryEmitNext(true);
    });
    Disposable.Composite all = Disposables.composite();
    // Notifications: seal promptly, one pass at a time, coalescing bursts.
    all.add(sealSoon.asFlux()
        .onBackpressureLatest()
        .concatMap(x -> quietly("Sealing new signing secrets", sealing.sealPlain().then()), 1)
        .subscribe());
    all.add(Flux.interval(Duration.ZERO, pollInterval)
        .onBackpressureDrop()
        .concatMap(tick -> quietly("Checking runtime endpoints for changes", refresh())
            .then(quietly("Sealing new signing secrets", sealing.sealPlain().then()))
            .then(quietly("Dropping rotated-out signing secrets", sealing.dropExpired().then())))
        .subscribe());
    all.add(Flux.interval(Duration.ZERO, RESEAL_EVERY)
        .onBackpressureDrop()
        .concatMap(tick -> quietly("Re-sealing signing secrets under the current key",
            sealing.resealUnderCurrentKey().then()))
        .subscribe());
    return all;
  }

  /** Drops held endpoints that changed or are gone; evicts idle ones. */
  Mono<Void> refresh() {
    return Mono.defer(() -> {
      evictIdle.run();
      Map<String, Long> mine = held.get();
      if (mine.isEmpty()) {
        return Mono.empty();
      }
      return store.versions(mine.keySet()).doOnNext(now -> mine.forEach((name, version) -> {
        if (!version.equals(now.get(name))) {
          forget.accept(name);
        }
      })).then();
    });
  }

  private Mono<Void> quietly(String what, Mono<Void> work) {
    return work.onErrorResume(e -> {
      warnings.warn("{} failed ({}); trying again at the next poll", what, e.toString());
      return Mono.empty();
    });
  }
}
