package dev.relay.engine.loop;

import org.jspecify.annotations.Nullable;

/**
 * A row leaving its lane: to be attempted, or handed back unattempted with {@code handBack} as
 * its settlement (its lease would run out before an attempt could end, or its endpoint asked to
 * wait).
 */
record Work(Claimed claimed, @Nullable Settlement handBack) {

  static Work attempt(Claimed claimed) {
    return new Work(claimed, null);
  }

  static Work handBack(Settlement settlement) {
    return new Work(settlement.claimed(), settlement);
  }
}
