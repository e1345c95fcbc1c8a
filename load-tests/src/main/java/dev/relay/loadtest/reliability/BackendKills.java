package dev.relay.loadtest.reliability;

import dev.relay.app.config.Durations;
import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.process.RelayProcess;
import dev.relay.loadtest.publish.PublishProgress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * backend-kills: {@code pg_terminate_backend} on every relay connection (application_name
 * {@code relay}: pool, LISTEN; never this tool's) every --fault-every for --fault-for, while the
 * relays deliver an open-loop stream. Judged by nothing lost or sent twice (a statement cut off
 * is retried; an outcome is written once) and by no wedged relay: a backlog drained after the
 * kills goes as fast as one drained before them.
 */
final class BackendKills extends FaultScenario {

  BackendKills() {
    super("backend-kills",
        "pg_terminate_backend on every relay connection every 2s for 2 minutes while 2 relays deliver 200/s: "
            + "0 lost, 0 duplicates, a 10,000-event drain afterwards as fast as before",
        Map.of("events", "10000", "relays", "2", "rates", "200", "fault-every", "2s", "fault-for", "2m",
            "publish-batch", "100", "drain-timeout", "300s"),
        BaseSettings.SHORT_LEASES);
  }

  @Override
  FaultResult run(FaultRun run) throws Exception {
    var o = run.options();
    List<RelayProcess> relays = run.startReady(o.relays());
    Drain before = drain(run, relays.get(0), "bkbefore");
    run.say("drain before the kills: %,.0f/s", before.perSecond());

    double rate = o.rates().get(0);
    long during = Math.max(1, Math.round(rate * o.faultFor().toSeconds()));
    DeliveryLedger ledger = run.ledger("bkduring", during);
    PublishProgress progress = new PublishProgress(ledger);
    var publishing = run.openLoop(ledger, rate, during, progress).toFuture();
    int rounds = 0;
    long terminated = 0;
    long end = System.nanoTime() + o.faultFor().toNanos();
    while (System.nanoTime() < end) {
      FaultRun.sleep(o.faultEvery());
      terminated += run.terminateRelayBackends();
      rounds++;
    }
    publishing.get();
    ledger.expect(progress.published());
    boolean duringComplete = run.awaitDelivered(ledger);
    run.say("%d rounds of kills, %,d relay backends terminated; %,d of %,d delivered", rounds, terminated,
        ledger.counts().unique(), progress.published());

    Drain after = drain(run, relays.get(0), "bkafter");
    run.say("drain after the kills: %,.0f/s", after.perSecond());
    Tally tally = before.tally().plus(Tally.of(ledger, progress.published())).plus(after.tally());
    boolean alive = relays.stream().allMatch(RelayProcess::alive);
    double ratio = before.perSecond() <= 0 ? 0 : after.perSecond() / before.perSecond();
    return run.finish(new FaultResult.Builder(name(), String.format(Locale.ROOT,
        "%d relays; %,d events at %.0f/s during %s of kills every %s; drains of %,d before and after", o.relays(),
        progress.published(), rate, Durations.format(o.faultFor()), Durations.format(o.faultEvery()), o.events()))
        .tally(tally)
        .figure("%d rounds, %,d relay backends terminated", rounds, terminated)
        .figure("drain before %,.0f/s, after %,.0f/s (%.0f%%)", before.perSecond(), after.perSecond(), 100 * ratio)
        .check(tally.noneLost())
        .check(tally.noDuplicates())
        .check("backends terminated", terminated > 0, "%,d", terminated)
        .check("no wedged relay: everything delivered during and after, relays alive",
            before.complete() && duringComplete && after.complete() && alive, "during %s, after %s, relays %s",
            duringComplete ? "complete" : "INCOMPLETE", after.complete() ? "complete" : "INCOMPLETE",
            alive ? "alive" : "NOT all alive")
        .timing("drain after >= 50% of before", ratio >= 0.5, "%.0f%%", 100 * ratio));
  }

  /** A measured drain: the backlog published while paused, then resumed; resume to last arrival. */
  private static Drain drain(FaultRun run, RelayProcess admin, String tag) throws Exception {
    long n = run.options().events();
    DeliveryLedger ledger = run.ledger(tag, n);
    adminCall(run, () -> admin.admin().pause(run.bench().endpoints()));
    PublishProgress progress = run.publishBacklog(ledger, n);
    long start = System.nanoTime();
    adminCall(run, () -> admin.admin().resume(run.bench().endpoints()));
    boolean complete = run.awaitDelivered(ledger);
    long end = ledger.completedAtNanos().orElse(System.nanoTime());
    return new Drain(Tally.of(ledger, progress.published()), complete,
        complete ? progress.published() / Math.max(1e-9, (end - start) / 1e9) : 0);
  }

  /** An admin call the operator repeats if it fails (a pooled connection terminated a moment ago). */
  private static void adminCall(FaultRun run, AdminCall call) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        call.run();
        return;
      } catch (java.io.IOException e) {
        if (attempt == 3) {
          throw e;
        }
        run.say("admin call failed (%s); again in 1 s", e.getMessage());
        FaultRun.sleep(Duration.ofSeconds(1));
      }
    }
  }

  @FunctionalInterface
  private interface AdminCall {
    void run() throws Exception;
  }

  private record Drain(Tally tally, boolean complete, double perSecond) {}

}
