package dev.relay.loadtest.run;

import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.EventIds;
import dev.relay.loadtest.process.AdminClient;
import dev.relay.loadtest.process.RelayCluster;
import dev.relay.loadtest.publish.Backlog;
import dev.relay.loadtest.publish.PublishProgress;
import dev.relay.loadtest.report.PhaseResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A backlog drain: every endpoint paused (admin API), {@code n} events published, then resumed
 * (and the claimers woken); measured from the resume to the arrival of the n-th distinct id.
 * Capped at --drain-timeout: then "timed out, k of n delivered", and the rest is discarded so the
 * next phase starts empty.
 */
public final class DrainPhase {
  private static final Duration PUBLISH_TIMEOUT = Duration.ofMinutes(30);

  private DrainPhase() {}

  public static PhaseResult run(Workbench bench, RelayCluster cluster, String name, long n) throws Exception {
    EventIds ids = bench.newIds("d");
    DeliveryLedger ledger = new DeliveryLedger(ids, Math.toIntExact(n));
    bench.receiver().listen(ledger);
    AdminClient admin = cluster.first().admin();
    admin.pause(bench.endpoints());
    bench.context().say("%s: publishing %,d events while paused", name, n);
    PublishProgress progress = new PublishProgress(ledger);
    long publishStart = System.nanoTime();
    Backlog.publish(bench.publisher(), bench.events(ids), n, bench.options().publishBatch(),
        bench.options().publishConnections(), progress).block(PUBLISH_TIMEOUT);
    double publishSeconds = (System.nanoTime() - publishStart) / 1e9;

    bench.context().say("%s: resuming %d endpoint(s), draining with %d relay(s)", name, bench.endpoints().size(),
        cluster.relays().size());
    PhaseMeter meter = PhaseMeter.start(bench, cluster, ledger, progress);
    admin.resume(bench.endpoints()); // resume wakes every relay (a NOTIFY), not only the one asked
    boolean complete = ledger.awaitComplete(bench.options().drainTimeout());
    long end = complete ? ledger.completedAtNanos().orElse(System.nanoTime()) : System.nanoTime();
    PhaseMeter.Finished f = meter.finish(complete, end);

    List<String> notes = new ArrayList<>();
    notes.add(String.format(Locale.ROOT, "backlog published in %.1f s (%,.0f/s); latency here is the age of each "
        + "event at arrival, not a round trip", publishSeconds, n / publishSeconds));
    if (!complete) {
      long discarded = bench.discardBacklog();
      notes.add(String.format(Locale.ROOT, "TIMED OUT after %d s: %,d of %,d delivered; %,d pending rows discarded",
          bench.options().drainTimeout().toSeconds(), f.correctness().delivered(), n, discarded));
    }
    String load = String.format(Locale.ROOT, "backlog of %,d x %d B published while paused, then resumed", n,
        bench.options().payloadBytes());
    return f.result(name, load, cluster.relays().size(), bench.endpoints().size(), 0, 0, notes);
  }
}
