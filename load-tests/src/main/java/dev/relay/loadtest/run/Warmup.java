package dev.relay.loadtest.run;

import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.EventIds;
import dev.relay.loadtest.publish.OpenLoop;
import dev.relay.loadtest.publish.PublishProgress;
import java.time.Duration;
import java.util.Optional;

/**
 * Before measuring: --warmup-events sent open-loop at {@value #RATE}/s and delivered, so the
 * relays' JIT, connection pools and Postgres caches are warm. Not reported, except if it fails.
 */
final class Warmup {
  static final double RATE = 1000;
  /** The warm-up gives up after this long (or --drain-timeout if shorter), notes it, and goes on. */
  private static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private Warmup() {}

  /** A note for the report if the warm-up did not complete; empty if it did (or was off). */
  static Optional<String> run(Workbench bench) throws Exception {
    long n = bench.options().warmupEvents();
    if (n == 0) {
      return Optional.empty();
    }
    bench.context().say("warming up: %,d events at %.0f/s", n, RATE);
    EventIds ids = bench.newIds("w");
    DeliveryLedger ledger = new DeliveryLedger(ids, Math.toIntExact(n));
    bench.receiver().listen(ledger);
    OpenLoop loop = new OpenLoop(bench.events(ids), RATE, n, bench.options().publishBatch(),
        bench.options().publishConnections());
    Duration wait = bench.options().drainTimeout().compareTo(MAX_WAIT) < 0 ? bench.options().drainTimeout() : MAX_WAIT;
    PublishProgress progress = new PublishProgress();
    loop.run(bench.publisher(), progress, wait).block(Duration.ofSeconds((long) (n / RATE)).plus(wait).plus(wait));
    ledger.expect(progress.published());
    if (ledger.awaitComplete(wait)) {
      return Optional.empty();
    }
    long discarded = bench.discardBacklog();
    return Optional.of("warm-up timed out: " + ledger.counts().unique() + " of " + progress.published() + " delivered within "
        + wait.toSeconds() + " s (" + discarded + " pending rows discarded)");
  }
}
