package dev.relay.loadtest.reliability;

import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.report.TargetCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What arrived, by event id, over one or more ledgers of a fault scenario.
 *
 * @param events published (committed) events
 * @param delivered distinct ids that arrived
 * @param lost published ids that never arrived although the scenario waited for them
 * @param duplicates arrivals of an id that had already arrived
 * @param missingSample the first few lost ids
 */
record Tally(long events, long delivered, long lost, long duplicates, List<String> missingSample) {
  static final Tally NONE = new Tally(0, 0, 0, 0, List.of());

  Tally {
    missingSample = List.copyOf(missingSample);
  }

  static Tally of(DeliveryLedger ledger, long published) {
    DeliveryLedger.Missing missing = ledger.missing(published, 5);
    var c = ledger.counts();
    return new Tally(published, c.unique(), missing.count(), c.duplicates(), missing.sample());
  }

  /** The same, with {@code pending} of the undelivered ids known to be still pending (not lost). */
  Tally withPending(long pending) {
    long lostNow = Math.max(0, lost - pending);
    return new Tally(events, delivered, lostNow, duplicates, lostNow == 0 ? List.of() : missingSample);
  }

  Tally plus(Tally other) {
    List<String> sample = new ArrayList<>(missingSample);
    other.missingSample.stream().limit(Math.max(0, 5 - sample.size())).forEach(sample::add);
    return new Tally(events + other.events, delivered + other.delivered, lost + other.lost,
        duplicates + other.duplicates, sample);
  }

  TargetCheck noneLost() {
    return new TargetCheck("0 lost", lost == 0 ? String.format(Locale.ROOT, "%,d of %,d delivered", delivered, events)
        : String.format(Locale.ROOT, "%,d LOST, e.g. %s", lost, missingSample), lost == 0);
  }

  TargetCheck noDuplicates() {
    return new TargetCheck("0 duplicates", String.format(Locale.ROOT, "%,d", duplicates), duplicates == 0);
  }

  /** At most {@code bound} duplicates; {@code why} says where the bound comes from. */
  TargetCheck duplicatesAtMost(long bound, String why) {
    return new TargetCheck("duplicates <= " + why, String.format(Locale.ROOT, "%,d <= %,d", duplicates, bound),
        duplicates <= bound);
  }
}
