package dev.relay.loadtest.reliability;

import dev.relay.app.config.Durations;
import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.postgres.PostgresAddress;
import dev.relay.loadtest.process.MetricTotals;
import dev.relay.loadtest.process.RelayProcess;
import dev.relay.loadtest.proxy.BlackholeProxy;
import dev.relay.loadtest.publish.PublishProgress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * blackhole: one of two relays reaches Postgres through a {@link BlackholeProxy} that stops
 * forwarding (nothing closed, nothing reset) for --fault-for while it has deliveries in flight.
 * Its leases expire and the other relay delivers everything, including what the isolated one
 * had claimed (those attempts that had reached the receiver arrive twice: at most what it had
 * in flight); its outcomes that could not be written are given up once their leases have
 * certainly passed, or refused if they land late, and counted; its log stays under one line per
 * second per kind of failure; after the path is back, with the other relay stopped, it delivers
 * everything published after on its own (while both run, whichever claims first may take all of a
 * small batch, so a share of it would prove nothing either way).
 */
final class Blackhole extends FaultScenario {
  Blackhole() {
    super("blackhole",
        "the database unreachable for 5 minutes for one of 2 relays (a proxy that stops forwarding) while "
            + "20,000 events and 50/s arrive: 0 lost, the other relay takes over, late settles counted, quiet logs",
        Map.of("events", "20000", "relays", "2", "rates", "50", "fault-for", "5m", "receiver-delay", "20ms",
            "publish-batch", "500", "drain-timeout", "300s"),
        BaseSettings.SHORT_LEASES);
  }

  @Override
  FaultResult run(FaultRun run) throws Exception {
    var o = run.options();
    PostgresAddress db = run.bench().postgres().address();
    try (BlackholeProxy proxy = BlackholeProxy.start(db.host(), db.port())) {
      RelayProcess healthy = run.start("relay-1");
      RelayProcess isolated = run.start("relay-2", run.spec().withDatabase(
          new PostgresAddress("127.0.0.1", proxy.port(), db.database(), db.user(), db.password())));
      run.awaitReady(healthy);
      run.awaitReady(isolated);

      DeliveryLedger backlog = run.ledger("bh", o.events());
      var publishing = java.util.concurrent.CompletableFuture.supplyAsync(() -> run.publishBacklog(backlog, o.events()));
      long inFlight = awaitInFlight(isolated);
      int linesBefore = RelayLog.lines(isolated.log()).size();
      long cutAt = System.nanoTime();
      proxy.blackhole();
      run.say("%s cut off from Postgres with %d deliveries in flight", isolated.name(), inFlight);

      double rate = o.rates().get(0);
      long duringCount = Math.max(1, Math.round(rate * o.faultFor().toSeconds() / 2.0));
      DeliveryLedger during = run.ledger("bhduring", duringCount);
      PublishProgress duringProgress = new PublishProgress(during);
      try (ReadinessWatch watch = new ReadinessWatch(List.of(isolated), cutAt)) {
        run.openLoop(during, rate, duringCount, duringProgress).block(o.faultFor().plusMinutes(1));
        during.expect(duringProgress.published());
        long backlogPublished = publishing.join().published();
        Duration left = Duration.ofNanos(Math.max(0, cutAt + o.faultFor().toNanos() - System.nanoTime()));
        boolean takenOver = backlog.awaitComplete(left) && during.awaitComplete(
            Duration.ofNanos(Math.max(0, cutAt + o.faultFor().toNanos() - System.nanoTime())));
        double takenOverAfter = (Math.max(backlog.lastFirstArrivalNanos(), during.lastFirstArrivalNanos()) - cutAt) / 1e9;
        run.say("everything published before and during the cut %s (%.0f s after it); waiting out the %s",
            takenOver ? "delivered" : "NOT delivered", takenOverAfter, Durations.format(o.faultFor()));
        FaultRun.sleep(Duration.ofNanos(cutAt + o.faultFor().toNanos() - System.nanoTime()));
        List<String> cutLines = RelayLog.lines(isolated.log());
        double cutSeconds = (System.nanoTime() - cutAt) / 1e9;
        proxy.restore();
        long restoredAt = System.nanoTime();
        run.say("%s reaches Postgres again", isolated.name());
        isolated.awaitReady(Duration.ofMinutes(2));
        double readyAfter = (System.nanoTime() - restoredAt) / 1e9;
        MetricTotals m = lateSettlesCounted(isolated, inFlight);
        int healthyExit = healthy.terminate(Duration.ofSeconds(40));
        run.say("%s stopped (exit %d): what is published now is %s's alone", healthy.name(), healthyExit, isolated.name());

        DeliveryLedger after = run.ledger("bhafter", Math.max(1, o.events() / 10));
        PublishProgress afterProgress = run.publishBacklog(after, after.capacity());
        boolean afterComplete = run.awaitDelivered(after);
        double deliveredByIsolated = settledAsDelivered(isolated, m, afterProgress.published());

        Tally tally = Tally.of(backlog, backlogPublished).plus(Tally.of(during, duringProgress.published()))
            .plus(Tally.of(after, afterProgress.published()));
        Map<String, Long> kinds = RelayLog.kinds(cutLines.subList(Math.min(linesBefore, cutLines.size()),
            cutLines.size()));
        long worstKind = kinds.values().stream().mapToLong(Long::longValue).max().orElse(0);
        long lines = kinds.values().stream().mapToLong(Long::longValue).sum();
        double stale = m.get("relay_settles_stale_total");
        double givenUp = m.get("relay_settles_failed_total");
        long bound = run.delivery().maxInFlight();
        FaultResult.Builder b = new FaultResult.Builder(name(), String.format(Locale.ROOT,
            "2 relays, %s cut off for %s; %,d events before, %,d at %.0f/s during, %,d after (%s stopped)",
            isolated.name(), Durations.format(o.faultFor()), backlogPublished, duringProgress.published(), rate,
            afterProgress.published(), healthy.name()))
            .tally(tally)
            .bound(String.format(Locale.ROOT, "%,d in flight at the cut (max-in-flight %,d)", inFlight, bound))
            .figure("%s had %d deliveries in flight when cut off", isolated.name(), inFlight)
            .figure("the other relay delivered all before and during the cut %.0f s after it (lease %ds)", takenOverAfter,
                run.delivery().lease().toSeconds())
            .figure("%s after the cut: %.0f settles refused (lease passed, relay_settles_stale_total), %.0f settle "
                + "batches given up (relay_settles_failed_total); ready again %.1f s after the path came back",
                isolated.name(), stale, givenUp, readyAfter)
            .figure("%s logged %d events in %.0f s cut off, %d kinds, the most frequent %d times", isolated.name(),
                lines, cutSeconds, kinds.size(), worstKind);
        kinds.forEach((kind, count) -> b.figure("  %4d x %s", count, kind));
        watch.changes().forEach(c -> b.figure("/health/ready of %s: %s", isolated.name(), c));
        return run.finish(b.check(tally.noneLost())
            .check(tally.duplicatesAtMost(bound, "delivery.max-in-flight of the isolated relay"))
            .check("the other relay took over: all published before and during the cut delivered while cut off",
                takenOver, takenOver ? "yes" : "no")
            .check("late settles refused or given up, and counted", inFlight == 0 || stale + givenUp > 0,
                "%.0f refused + %.0f batches given up", stale, givenUp)
            .check("isolated relay reported not ready while cut off", watch.firstNotReady(isolated.name(), 0).isPresent(),
                "%s", watch.firstNotReady(isolated.name(), 0).map(Object::toString).orElse("never"))
            .check("the other relay stopped cleanly before the after phase (SIGTERM, exit 0)", healthyExit == 0,
                "exit %d", healthyExit)
            .check("isolated relay alone delivers everything published after the path is back",
                afterComplete && deliveredByIsolated >= afterProgress.published(),
                "%.0f of the %,d after", deliveredByIsolated, afterProgress.published())
            .check("under one log line per second per failure kind", worstKind < Math.max(1, cutSeconds),
                "most frequent kind %d lines in %.0f s", worstKind, cutSeconds));
      }
    }
  }

  /**
   * The isolated relay's metrics once its outcomes from before the cut are accounted for: a cut
   * shorter than the lease leaves their settles retrying (2 s apart at most) until the path is
   * back, when they land and are refused. At most 15 s.
   */
  private static MetricTotals lateSettlesCounted(RelayProcess relay, long inFlight) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    MetricTotals m = FaultRun.metrics(relay);
    double last = -1;
    long steadySince = System.nanoTime();
    while (inFlight > 0 && System.nanoTime() < deadline) {
      double counted = m.get("relay_settles_stale_total") + m.get("relay_settles_failed_total");
      if (counted != last) {
        last = counted;
        steadySince = System.nanoTime();
      } else if (counted > 0 && System.nanoTime() - steadySince > TimeUnit.SECONDS.toNanos(3)) {
        break; // counted, and nothing more for longer than the settle retries' backoff cap
      }
      TimeUnit.MILLISECONDS.sleep(250);
      m = FaultRun.metrics(relay);
    }
    return m;
  }

  /**
   * How many deliveries the relay has settled as delivered since {@code before}, once that reaches
   * {@code expected} or 15 s pass: an arrival at the receiver is counted when its settle lands, a
   * few milliseconds to a settle batch later.
   */
  private static double settledAsDelivered(RelayProcess relay, MetricTotals before, long expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    double n = 0;
    while (true) {
      n = FaultRun.metrics(relay).get("relay_deliveries_delivered_total") - before.get("relay_deliveries_delivered_total");
      if (n >= expected || System.nanoTime() > deadline) {
        return n;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** Waits until the relay has deliveries claimed and unsettled (at most 30 s); how many. */
  private static long awaitInFlight(RelayProcess relay) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long n = 0;
    while (n == 0 && System.nanoTime() < deadline) {
      n = (long) FaultRun.metrics(relay).get("relay_in_flight");
      if (n == 0) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
    }
    return n;
  }
}
