package dev.relay.webhook;

import dev.relay.webhook.config.EndpointSource;
import dev.relay.webhook.resilience.BreakerState;
import dev.relay.webhook.config.SourcedEndpoint;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Pipelines of endpoints from an {@link EndpointSource}, created on first use and evicted when
 * idle, so a relay serving 100,000 endpoints holds state (signer, guards, client) only for those
 * it delivers to. Concurrent first deliveries to one endpoint share one lookup. A failed or empty
 * lookup is not kept: the next delivery asks again.
 */
final class RuntimePipelines {
  /** How often a delivery may trigger a sweep for idle pipelines, at most. */
  private static final long SWEEP_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
  /**
   * After a failed lookup (the database, a key this relay lacks), how long this relay leaves the
   * endpoint alone: its deliveries are deferred (no attempt spent) and it is reported unavailable,
   * so the claim leaves it to relays that can read it.
   */
  static final Duration FAILED_LOOKUP_PAUSE = Duration.ofSeconds(30);

  private final EndpointSource source;
  private final Function<SourcedEndpoint, EndpointPipeline> build;
  private final long idleNanos;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  /** Endpoints whose lookup failed, with when they may be looked up again (nanoTime). */
  private final Map<String, Long> failed = new ConcurrentHashMap<>();
  private volatile long nextSweep = System.nanoTime() + SWEEP_EVERY_NANOS;

  RuntimePipelines(EndpointSource source, Function<SourcedEndpoint, EndpointPipeline> build, Duration idle) {
    this.source = source;
    this.build = build;
    this.idleNanos = idle.toNanos();
  }

  /** The endpoint's pipeline, looked up if not held (or expired); empty if there is no such endpoint. */
  Mono<EndpointPipeline> pipeline(String name) {
    return Mono.defer(() -> {
      long now = System.nanoTime();
      sweepIfDue(now);
      Long until = failed.get(name);
      if (until != null && now - until < 0) {
        return Mono.error(new IllegalStateException("its last lookup failed; trying again within "
            + FAILED_LOOKUP_PAUSE.toSeconds() + " s"));
      }
      Entry entry = entries.get(name);
      if (entry == null || entry.expired(now)) {
        Entry fresh = new Entry(name);
        if (entry == null) {
          Entry raced = entries.putIfAbsent(name, fresh);
          entry = raced == null ? fresh : raced;
        } else {
          entry = entries.replace(name, entry, fresh) ? fresh : entries.getOrDefault(name, fresh);
        }
      }
      entry.lastUsed = now;
      return entry.pipeline;
    });
  }

  /** Drops what is held of {@code name}; attempts already running finish with it. */
  void forget(String name) {
    entries.remove(name);
  }

  /** Version of every endpoint held (looked up and not evicted). */
  Map<String, Long> versions() {
    Map<String, Long> out = new HashMap<>();
    entries.forEach((name, e) -> {
      Held held = e.held;
      if (held != null) {
        out.put(name, held.version);
      }
    });
    return out;
  }

  /** Held pipelines whose circuit breaker blocks requests, and failed lookups (added to {@code into}). */
  void unavailable(Set<String> into) {
    entries.forEach((name, e) -> {
      Held held = e.held;
      if (held != null && held.pipeline.guards().state().blocksRequests()) {
        into.add(name);
      }
    });
    long now = System.nanoTime();
    failed.forEach((name, until) -> {
      if (now - until < 0) {
        into.add(name);
      } else {
        failed.remove(name, until);
      }
    });
  }

  /** The circuit breaker of a held endpoint. */
  java.util.Optional<BreakerState> breakerState(String name) {
    Entry e = entries.get(name);
    Held held = e == null ? null : e.held;
    return held == null ? java.util.Optional.empty() : java.util.Optional.of(held.pipeline.guards().state());
  }

  int size() {
    return entries.size();
  }

  /**
   * Evicts pipelines unused for the idle time with no attempt in flight and a closed breaker (an
   * open one, its deliveries not claimed meanwhile, must not be forgotten and the failing
   * receiver hit again at once).
   */
  void sweep() {
    long now = System.nanoTime();
    entries.forEach((name, e) -> {
      Held held = e.held;
      if (now - e.lastUsed > idleNanos && (held == null
          || held.pipeline.guards().inFlight() == 0 && held.pipeline.guards().state() == BreakerState.CLOSED)) {
        entries.remove(name, e);
      }
    });
  }

  private void sweepIfDue(long now) {
    if (now - nextSweep >= 0) {
      nextSweep = now + SWEEP_EVERY_NANOS;
      sweep();
    }
  }

  /** One endpoint's lookup (shared by the deliveries that wait for it) and, once done, what it found. */
  private final class Entry {
    final Mono<EndpointPipeline> pipeline;
    final long created = System.nanoTime();
    volatile long lastUsed = created;
    volatile @Nullable Held held;

    Entry(String name) {
      this.pipeline = source.find(name)
          .map(found -> {
            Held h = new Held(build.apply(found), found.version(), found.validFor());
            held = h;
            return h.pipeline();
          })
          .switchIfEmpty(Mono.fromRunnable(() -> entries.remove(name, this)))
          .doOnError(x -> {
            entries.remove(name, this);
            if (!(x instanceof EndpointSource.Unusable)) {
              failed.put(name, System.nanoTime() + FAILED_LOOKUP_PAUSE.toNanos());
            }
          })
          .cache();
    }

    boolean expired(long now) {
      Held h = held;
      return h != null && h.validFor != null && now - created > h.validFor.toNanos();
    }
  }

  private record Held(EndpointPipeline pipeline, long version, @Nullable Duration validFor) {}
}
