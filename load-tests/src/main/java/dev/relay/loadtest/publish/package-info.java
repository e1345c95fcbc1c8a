/**
 * Publishing through {@code relay.publish()} as applications do, over JDBC or R2DBC ({@link
 * dev.relay.loadtest.publish.Publisher}), closed-loop ({@link dev.relay.loadtest.publish.Backlog})
 * or open-loop at a fixed rate ({@link dev.relay.loadtest.publish.OpenLoop}): every event carries
 * its intended send time in the payload, so latency is measured from when it should have been
 * sent, not from when a saturated publisher got round to it (no coordinated omission).
 */
@NullMarked
package dev.relay.loadtest.publish;

import org.jspecify.annotations.NullMarked;
