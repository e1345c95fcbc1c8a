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
    perEndpoint.computeIfAbsent(endpoint, e -> new AtomicInteger()).incrementAndGet();
  }

  void give(String endpoint) {
    total.decrementAndGet();
    AtomicInteger n = perEndpoint.get(endpoint);
    if (n != null) {
      n.decrementAndGet();
    }
  }

  /** Per-claim cap for an endpoint with nothing in flight and no override. */
  int defaultCap() {
    return Math.min(config.endpointMaxInFlight(), config.claimBatchSize());
  }

  /** Endpoints whose cap differs from {@link #defaultCap()}, with their free slots. */
  Caps caps() {
    List<String> names = new ArrayList<>();
    List<Integer> caps = new ArrayList<>();
    config.endpointLimits().keySet().forEach(name -> perEndpoint.computeIfAbsent(name, e -> new AtomicInteger()));
    perEndpoint.forEach((name, n) -> {
      int cap = Math.max(0, Math.min(config.endpointLimit(name) - n.get(), config.claimBatchSize()));
      if (cap != defaultCap()) {
        names.add(name);
        caps.add(cap);
      }
    });
    return new Caps(names.toArray(String[]::new), caps.toArray(Integer[]::new));
  }

  record Caps(String[] names, Integer[] caps) {}
}
