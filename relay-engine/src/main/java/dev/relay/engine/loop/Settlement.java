package dev.relay.engine.loop;

import dev.relay.engine.spi.Exchange;
import org.jspecify.annotations.Nullable;

/**
 * The row change an outcome turns into. {@code state} is the new state: delivered, dead, or
 * pending again after {@code delayMillis}. {@code refund} is 1 when the attempt was never made
 * (deferred by the transport, or handed back unattempted), so the claim does not count against
 * the attempt budget. A pending settlement without {@code error} keeps the row's last status and
 * error. {@code holdMillis} holds the whole endpoint (a receiver's Retry-After); {@code
 * disableEndpointReason} disables it (410 Gone). {@code exchange} is what the attempt history
 * records (start, duration, response excerpt); null when no attempt was spent (refund 1).
 */
record Settlement(
    Claimed claimed,
    String state,
    long delayMillis,
    @Nullable Integer status,
    @Nullable String error,
    @Nullable String disableEndpointReason,
    int refund,
    @Nullable Long holdMillis,
    @Nullable Exchange exchange) {

  /** A settlement with nothing for the attempt history. */
  Settlement(Claimed claimed, String state, long delayMillis, @Nullable Integer status, @Nullable String error,
      @Nullable String disableEndpointReason, int refund, @Nullable Long holdMillis) {
    this(claimed, state, delayMillis, status, error, disableEndpointReason, refund, holdMillis, null);
  }

  static final String DELIVERED = "delivered";
  static final String PENDING = "pending";
  static final String DEAD = "dead";
  /** Only as the settle statement's result: a retry it ended because a later message superseded it. */
  static final String SUPERSEDED = "superseded";

  String endpoint() {
    return claimed.delivery().endpoint();
  }

  boolean terminal() {
    return !PENDING.equals(state);
  }

  /**
   * What this outcome says of the receiver, for its endpoint's failure streak: true delivered,
   * false a failed attempt, null nothing (no attempt was spent: handed back or deferred unsent;
   * or the row was undeliverable and never sent).
   */
  @Nullable Boolean receiverVerdict() {
    if (refund > 0 || claimed.undeliverable() != null) {
      return null;
    }
    return DELIVERED.equals(state);
  }
}
