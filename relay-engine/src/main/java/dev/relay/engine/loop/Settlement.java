package dev.relay.engine.loop;

import org.jspecify.annotations.Nullable;

/**
 * The row change an outcome turns into. {@code state} is the new state: delivered, dead, or
 * pending again after {@code delayMillis}. {@code refund} is 1 when the attempt was never made
 * (deferred by the transport), so the claim does not count against the attempt budget.
 */
record Settlement(
    Claimed claimed,
    String state,
    long delayMillis,
    @Nullable Integer status,
    @Nullable String error,
    @Nullable String disableEndpointReason,
    int refund) {

  static final String DELIVERED = "delivered";
  static final String PENDING = "pending";
  static final String DEAD = "dead";

  String endpoint() {
    return claimed.delivery().endpoint();
  }
}
