package dev.relay.loadtest.run;

import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.EventIds;
import dev.relay.loadtest.monitor.Trend;
import dev.relay.loadtest.process.RelayCluster;
import dev.relay.loadtest.publish.OpenLoop;
import dev.relay.loadtest.publish.PublishProgress;
import dev.relay.loadtest.report.PhaseResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A fixed rate for a fixed time (open loop, latency from each event's intended send time), then
 * waits for the stragglers. Reports whether the backlog grew (slope over the second half of the
 * publishing) and how long the relay took to catch up after the last publish.
 */
public final class OpenLoopPhase {
  /** Extra wait for publish calls in flight when the schedule is cut off. */
  private static final Duration PUBLISH_GRACE = Duration.ofSeconds(30);
  private OpenLoopPhase() {}

  public static PhaseResult run(Workbench bench, RelayCluster cluster, String name, double rate, Duration duration)
      throws Exception {
    long total = Math.round(rate * duration.toNanos() / 1e9);
    EventIds ids = bench.newIds("s");
    DeliveryLedger ledger = new DeliveryLedger(ids, Math.toIntExact(total));
    bench.receiver().listen(ledger);
    bench.context().say("%s: %,.0f events/s for %d s (%,d events)", name, rate, duration.toSeconds(), total);
    PublishProgress progress = new PublishProgress(ledger);
    PhaseMeter meter = PhaseMeter.start(bench, cluster, ledger, progress);
    Duration overrun = bench.options().drainTimeout();
    new OpenLoop(bench.events(ids), rate, total, bench.options().publishBatch(), bench.options().publishConnections())
        .run(bench.publisher(), progress, overrun).block(duration.plus(overrun).plus(PUBLISH_GRACE));
    long publishEnd = System.nanoTime();
    ledger.expect(progress.published());
    boolean complete = ledger.awaitComplete(bench.options().drainTimeout());
    long end = complete ? ledger.completedAtNanos().orElse(System.nanoTime()) : System.nanoTime();
    PhaseMeter.Finished f = meter.finish(complete, end);

    double publishSeconds = (publishEnd - meter.startNanos()) / 1e9;
    double growth = Trend.slope(f.samples(), publishSeconds / 2, publishSeconds, s -> s.backlog());
    double catchUp = complete ? Math.max(0, (end - publishEnd) / 1e9) : -1;
    List<String> notes = new ArrayList<>();
    if (progress.published() < total) {
      notes.add(String.format(Locale.ROOT, "PUBLISHER FELL BEHIND: only %,d of %,d scheduled events were sent "
          + "(publishing stopped %d s after the schedule's end); the rate was not offered", progress.published(), total,
          overrun.toSeconds()));
    }
    if (!complete) {
      long discarded = bench.discardBacklog();
      notes.add(String.format(Locale.ROOT, "TIMED OUT %d s after the last publish: %,d of %,d delivered; %,d pending "
          + "rows discarded", bench.options().drainTimeout().toSeconds(), f.correctness().delivered(), total, discarded));
    }
    String load = String.format(Locale.ROOT, "open loop, %,.0f/s for %d s, up to %d per statement over %d "
        + "connection(s)", rate, duration.toSeconds(), bench.options().publishBatch(), bench.options().publishConnections());
    return f.result(name, load, cluster.relays().size(), bench.endpoints().size(), growth, catchUp, notes)
        .withScheduled(total);
  }
}
