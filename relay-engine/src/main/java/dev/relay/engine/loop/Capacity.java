package dev.relay.engine.loop;

import dev.relay.engine.config.EngineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-flight slots: overall and per endpoint. A slot is taken when a row is claimed and given
 * back when its settle is written, so a claim never asks for more than the relay can finish.
 */
final class Capacity {
  private final EngineConfig config;
  private final AtomicInteger total = new AtomicInteger();
  private final Map<String, AtomicInteger> perEndpoint = new ConcurrentHashMap<>();

  Capacity(EngineConfig config) {
    this.config = config;
  }

  int inFlight() {
    return total.get();
  }

  int free() {
    return Math.max(0, config.maxInFlight() - total.get());
  }

  void take(String endpoint) {
    total.incrementAndGet();
    perEndpoint.compute(endpoint, (e, n) -> {
      AtomicInteger count = n == null ? new AtomicInteger() : n;
      count.incrementAndGet();
      return count;
    });
  }

  /**
   * Gives a slot back; an endpoint with nothing left in flight leaves the map (atomically per
   * endpoint), so it holds only endpoints in use, not every endpoint ever delivered to.
   */
  void give(String endpoint) {
    total.decrementAndGet();
    perEndpoint.computeIfPresent(endpoint, (e, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  /** Per-claim cap for an endpoint with nothing in flight and no override. */
  int defaultCap() {
    return Math.min(config.endpointMaxInFlight(), config.claimBatchSize());
  }

  /** Endpoints whose cap differs from {@link #defaultCap()}, with their free slots. */
  Caps caps() {
    List<String> names = new ArrayList<>();
    List<Integer> caps = new ArrayList<>();
    config.endpointLimits().keySet().forEach(name -> {
      if (!perEndpoint.containsKey(name)) {
        add(names, caps, name, 0);
      }
    });
    perEndpoint.forEach((name, n) -> add(names, caps, name, n.get()));
    return new Caps(names.toArray(String[]::new), caps.toArray(Integer[]::new));
  }

  private void add(List<String> names, List<Integer> caps, String name, int inFlight) {
    int cap = Math.max(0, Math.min(config.endpointLimit(name) - inFlight, config.claimBatchSize()));
    if (cap != defaultCap()) {
      names.add(name);
      caps.add(cap);
    }
  }

  record Caps(String[] names, Integer[] caps) {}
}
