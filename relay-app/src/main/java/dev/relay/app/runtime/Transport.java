package dev.relay.app.runtime;

import dev.relay.app.admin.BreakerStates;
import dev.relay.engine.spi.Deliverer;
import java.util.Map;
import reactor.core.publisher.Mono;

/** How deliveries leave the relay (webhooks in production; a test double in tests). */
public interface Transport {

  Deliverer deliverer();

  default BreakerStates breakers() {
    return BreakerStates.NONE;
  }

  /** Drops what the transport holds of a runtime endpoint (it changed or was deleted). */
  default void forget(String endpoint) {}

  /** The version of each runtime endpoint the transport holds now. */
  default Map<String, Long> heldRuntimeVersions() {
    return Map.of();
  }

  /** Drops runtime endpoints that had no delivery for the idle time. */
  default void evictIdle() {}

  /** Releases connections; called after the engine stopped. */
  default Mono<Void> close() {
    return Mono.empty();
  }
}
