/**
 * A webhook receiver for load and fault-injection runs: a Reactor Netty server that verifies
 * every Standard Webhooks signature, reports each accepted request as an {@link
 * dev.relay.loadtest.receiver.Arrival} (webhook-id, arrival time, the publish time carried in the
 * payload) to an {@link dev.relay.loadtest.receiver.ArrivalListener}, and misbehaves on a {@link
 * dev.relay.loadtest.receiver.FaultSchedule}: added latency, error codes, connection resets and
 * requests never answered.
 */
@NullMarked
package dev.relay.loadtest.receiver;

import org.jspecify.annotations.NullMarked;
