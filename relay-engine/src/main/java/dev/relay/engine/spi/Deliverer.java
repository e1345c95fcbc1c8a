package dev.relay.engine.spi;

import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Delivers one claimed message. The engine owns leases, retries and settling; a deliverer only
 * says what happened.
 *
 * <p>Contract: never block the calling thread; complete within the engine's attempt timeout (the
 * engine enforces it, shorter than the lease, and treats an overrun as retryable); signal failures
 * as an {@link Outcome} rather than an error where possible. An error signal is treated as
 * {@link Outcome.Retry} with the error's message.
 */
@FunctionalInterface
public interface Deliverer {

  Mono<Outcome> deliver(Delivery delivery);

  /**
   * Endpoints whose rows must not be claimed right now, e.g. because their circuit breaker is
   * open. Called before every claim, so it must be cheap. Default: none.
   */
  default Set<String> unavailableEndpoints() {
    return Set.of();
  }
}
