package dev.relay.webhook.config;

import reactor.core.publisher.Mono;

/**
 * Where a deliverer finds the endpoints that are not in its configuration (endpoints managed at
 * runtime): looked up on a delivery's first attempt, kept while in use, dropped when idle or told
 * so ({@link dev.relay.webhook.WebhookDeliverer#forget}).
 */
@FunctionalInterface
public interface EndpointSource {

  /**
   * The endpoint of that name; empty if there is none; {@link Unusable} if it exists but can
   * never be delivered to as it is; another error if it cannot be read now.
   */
  Mono<SourcedEndpoint> find(String name);

  /** The endpoint exists but cannot be delivered to as it is (e.g. its URL does not parse). */
  final class Unusable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Unusable(String message) {
      super(message, null, false, false);
    }
  }
}
