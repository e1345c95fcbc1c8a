package dev.relay.loadtest.publish;

import dev.relay.loadtest.ledger.EventIds;

/** Builds event {@code seq} of a phase: its id, target endpoint and padded payload. */
public record EventFactory(EventIds ids, Payloads payloads, Targets targets) {
  public OutboundEvent event(long seq, long intendedNanos) {
    String id = ids.id(seq);
    return new OutboundEvent(id, targets.endpointFor(seq), payloads.body(id, intendedNanos), intendedNanos);
  }
}
