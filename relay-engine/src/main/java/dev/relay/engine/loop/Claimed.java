package dev.relay.engine.loop;

import dev.relay.engine.spi.Delivery;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A delivery this relay holds, with the lease token that fences its settle.
 *
 * @param leaseDeadlineNanos when the lease may end at the earliest, on {@link System#nanoTime()}:
 *     the claim's send time plus the lease (the database stamped a later expiry). No attempt may
 *     run past it.
 * @param leaseGoneNanos when the lease has certainly ended: the claim's reply time plus the lease.
 *     A settle still failing then is given up (the row comes back by itself).
 * @param undeliverable why the row cannot be sent (it was inserted around relay.publish: a
 *     payload over the limit, text fields too long), or null; such a row is settled dead, unsent
 */
record Claimed(Delivery delivery, UUID lease, long leaseDeadlineNanos, long leaseGoneNanos,
    @Nullable String undeliverable) {

  Claimed(Delivery delivery, UUID lease, long leaseDeadlineNanos, long leaseGoneNanos) {
    this(delivery, lease, leaseDeadlineNanos, leaseGoneNanos, null);
  }

  String endpoint() {
    return delivery.endpoint();
  }

  boolean keyed() {
    return delivery.orderingKey() != null;
  }
}
