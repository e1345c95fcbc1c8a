/**
 * Exact accounting of one measured phase: which event ids arrived, how often, and how late.
 * Event ids are {@code TAG-SEQ} ({@link dev.relay.loadtest.ledger.EventIds}), so a bit per
 * published event tells delivered from lost and first arrivals from duplicates without keeping
 * the ids; latencies go to HdrHistogram.
 */
@NullMarked
package dev.relay.loadtest.ledger;

import org.jspecify.annotations.NullMarked;
