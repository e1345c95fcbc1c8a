package dev.relay.loadtest.ledger;

/**
 * @param unique distinct event ids of this phase that arrived
 * @param duplicates arrivals of an id that had already arrived
 * @param unexpected arrivals whose id is not one of this phase's (stragglers of an earlier phase, or foreign)
 */
public record LedgerCounts(long unique, long duplicates, long unexpected) {}
