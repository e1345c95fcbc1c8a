package dev.relay.loadtest.reliability;

import dev.relay.app.config.Durations;
import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.process.RelayProcess;
import dev.relay.loadtest.publish.PublishProgress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * kill9 and sigterm: relays drain a backlog while one of them, in turn, is stopped every
 * --fault-every (or once its replacement is ready, if that takes longer) and replaced at once by
 * a new process. With SIGKILL the dead relay's claimed rows
 * come back after their lease, and an attempt that reached the receiver before the kill is sent
 * again: duplicates are allowed up to kills x delivery.max-in-flight (the most rows one relay has
 * claimed and not settled). With SIGTERM the relay stops claiming, finishes and settles what it
 * has, and exits 0: nothing may arrive twice.
 */
final class RelayChurn extends FaultScenario {
  private final boolean sigkill;

  private RelayChurn(boolean sigkill) {
    super(sigkill ? "kill9" : "sigterm", (sigkill ? "SIGKILL" : "SIGTERM") + " one of 3 relays every 5s (replaced at "
        + "once) while they deliver 50,000 events: 0 lost, " + (sigkill ? "duplicates <= kills x max-in-flight"
        : "0 duplicates"), Map.of("events", "50000", "relays", "3", "fault-every", "5s", "publish-batch", "1000",
        "receiver-delay", "5ms", "drain-timeout", "600s"), BaseSettings.SHORT_LEASES);
    this.sigkill = sigkill;
  }

  static RelayChurn kill9() {
    return new RelayChurn(true);
  }

  static RelayChurn sigterm() {
    return new RelayChurn(false);
  }

  @Override
  FaultResult run(FaultRun run) throws Exception {
    var o = run.options();
    List<RelayProcess> relays = new ArrayList<>(run.startReady(o.relays()));
    DeliveryLedger ledger = run.ledger(sigkill ? "kill" : "term", o.events());
    run.say("publishing %,d events to %d relays; %s one every %s", o.events(), o.relays(),
        sigkill ? "SIGKILL" : "SIGTERM", Durations.format(o.faultEvery()));
    CompletableFuture<PublishProgress> publishing = CompletableFuture.supplyAsync(
        () -> run.publishBacklog(ledger, o.events()));
    List<RelayProcess> stopped = new ArrayList<>();
    int kills = 0;
    long inFlightAtKills = 0;
    long deadline = System.nanoTime() + o.drainTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      FaultRun.sleep(o.faultEvery());
      if (publishing.isDone() && ledger.counts().unique() >= publishing.join().published()) {
        break;
      }
      int slot = kills % relays.size();
      RelayProcess victim = relays.get(slot);
      run.awaitReady(victim); // a replacement still starting up has nothing to lose yet
      inFlightAtKills += (long) FaultRun.metrics(victim).get("relay_in_flight");
      if (sigkill) {
        victim.kill();
      } else {
        victim.requestStop();
        stopped.add(victim);
      }
      relays.set(slot, run.start("relay-" + (slot + 1)));
      kills++;
      run.say("%s relay-%d (%d so far); %,d of %,d delivered", sigkill ? "killed" : "stopped", slot + 1, kills,
          ledger.counts().unique(), o.events());
    }
    long published = publishing.join().published();
    boolean complete = ledger.awaitComplete(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    FaultRun.sleep(Duration.ofSeconds(1)); // late duplicates
    List<Integer> stoppedCodes = new ArrayList<>();
    for (RelayProcess r : stopped) {
      stoppedCodes.add(r.awaitExit(Duration.ofSeconds(60)));
    }
    // A wait that ran out is not a loss: ids whose rows are still pending were not lost (yet).
    long pending = complete ? 0 : run.number("SELECT count(*) FROM %s.delivery WHERE state = 'pending'");
    Tally tally = Tally.of(ledger, published).withPending(pending);
    long maxInFlight = run.delivery().maxInFlight();
    FaultResult.Builder b = new FaultResult.Builder(name(), String.format(Locale.ROOT,
        "%,d events, %d relays, one %s every %s", published, o.relays(), sigkill ? "SIGKILL" : "SIGTERM",
        Durations.format(o.faultEvery())))
        .tally(tally)
        .figure("%d relays %s and replaced; %,d rows in flight at those relays just before (relay_in_flight)", kills,
            sigkill ? "killed" : "stopped", inFlightAtKills)
        .check(tally.noneLost())
        .check("fault injected", kills > 0, "%d %s", kills, sigkill ? "kills" : "SIGTERMs")
        .check("everything delivered", complete, complete ? "yes" : "timed out after %s, %,d rows still pending",
            Durations.format(o.drainTimeout()), pending);
    if (sigkill) {
      b.bound(String.format(Locale.ROOT, "%d x %d = %,d", kills, maxInFlight, kills * maxInFlight))
          .check(tally.duplicatesAtMost(kills * maxInFlight, "kills x delivery.max-in-flight"));
    } else {
      b.check(tally.noDuplicates())
          .check("every SIGTERMed relay exited 0", stoppedCodes.stream().allMatch(c -> c == 0), "%s", stoppedCodes);
    }
    return run.finish(b);
  }
}
