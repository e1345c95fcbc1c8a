package dev.relay.app.runtime;

import dev.relay.app.admin.BreakerStates;
import dev.relay.engine.spi.Deliverer;
import reactor.core.publisher.Mono;

/** How deliveries leave the relay (webhooks in production; a test double in tests). */
public interface Transport {

  Deliverer deliverer();

  default BreakerStates breakers() {
    return BreakerStates.NONE;
  }

  /** Releases connections; called after the engine stopped. */
  default Mono<Void> close() {
    return Mono.empty();
  }
}
