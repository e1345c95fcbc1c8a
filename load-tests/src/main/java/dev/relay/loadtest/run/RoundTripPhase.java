package dev.relay.loadtest.run;

import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.EventIds;
import dev.relay.loadtest.process.RelayCluster;
import dev.relay.loadtest.publish.EventFactory;
import dev.relay.loadtest.publish.PublishProgress;
import dev.relay.loadtest.report.PhaseResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sequential round trips on an idle relay: publish one event (committed), wait for its arrival,
 * then the next. Latency is publish-call start to arrival; this is what NOTIFY wakeups are for.
 */
public final class RoundTripPhase {
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(30);

  private RoundTripPhase() {}

  public static PhaseResult run(Workbench bench, RelayCluster cluster, String name, int n) throws Exception {
    EventIds ids = bench.newIds("l");
    DeliveryLedger ledger = new DeliveryLedger(ids, n);
    bench.receiver().listen(ledger);
    bench.context().say("%s: %,d sequential round trips", name, n);
    EventFactory events = bench.events(ids);
    PublishProgress progress = new PublishProgress(ledger);
    PhaseMeter meter = PhaseMeter.start(bench, cluster, ledger, progress);
    Duration wait = bench.options().drainTimeout();
    boolean complete = true;
    for (int i = 0; i < n && complete; i++) {
      CompletableFuture<Long> arrival = ledger.arrivalOf(i);
      progress.track(bench.publisher(), List.of(events.event(i, System.nanoTime()))).block(PUBLISH_TIMEOUT);
      try {
        arrival.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        complete = false;
      }
    }
    PhaseMeter.Finished f = meter.finish(complete, System.nanoTime());
    List<String> notes = new ArrayList<>();
    if (!complete) {
      notes.add(String.format(Locale.ROOT, "TIMED OUT: a round trip took longer than %d s", wait.toSeconds()));
      bench.discardBacklog();
    }
    return f.result(name, String.format(Locale.ROOT, "%,d sequential publish -> arrival round trips, idle relay", n),
        cluster.relays().size(), bench.endpoints().size(), 0, 0, notes);
  }
}
