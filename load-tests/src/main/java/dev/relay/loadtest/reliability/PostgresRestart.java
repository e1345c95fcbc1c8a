package dev.relay.loadtest.reliability;

import dev.relay.app.config.Durations;
import dev.relay.loadtest.cli.UsageException;
import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.LatencyRecorder;
import dev.relay.loadtest.ledger.LatencySummary;
import dev.relay.loadtest.process.MetricTotals;
import dev.relay.loadtest.process.RelayProcess;
import dev.relay.loadtest.publish.Publisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * pg-restart: Postgres stopped in {@code immediate} mode (no checkpoint, every connection cut)
 * and started again, --faults times, while the relays deliver. They must come back by themselves:
 * /health/ready reports the outage and then ready again within the LISTEN reconnect backoff's
 * cap plus the poll interval, the LISTEN connection is up again (the relay's gauge, and an idle
 * publish arrives faster than a poll would fetch it), and nothing is lost or sent twice (an
 * outcome that could not be written meanwhile is kept and written once the database is back).
 */
final class PostgresRestart extends FaultScenario {
  /** The LISTEN connection's reconnect backoff is capped at 10 s (RelayEngine). */
  private static final Duration RECONNECT_BACKOFF_CAP = Duration.ofSeconds(10);
  private static final int IDLE_ROUND_TRIPS = 10;

  PostgresRestart() {
    super("pg-restart",
        "Postgres stopped in immediate mode for 3s and started again, twice, while 2 relays deliver 30,000 events: "
            + "0 lost, relays ready again without a restart, LISTEN back",
        Map.of("events", "30000", "relays", "2", "faults", "2", "fault-for", "3s", "publish-batch", "100",
            "drain-timeout", "300s"),
        BaseSettings.SHORT_LEASES);
  }

  @Override
  FaultResult run(FaultRun run) throws Exception {
    if (!run.bench().postgres().isEmbedded()) {
      throw new UsageException("pg-restart restarts the embedded Postgres; leave out --database-url");
    }
    var o = run.options();
    if (!o.durable()) {
      throw new UsageException("pg-restart needs --durable true: with synchronous_commit off an immediate stop loses "
          + "the last commits (publishes and settles), which no relay can make up for");
    }
    List<RelayProcess> relays = run.startReady(o.relays());
    long segment = Math.max(1, o.events() / (o.faults() + 1));
    List<DeliveryLedger> ledgers = new ArrayList<>();
    List<Double> crashes = new ArrayList<>();
    List<Double> backs = new ArrayList<>();
    Tally tally = Tally.NONE;
    try (ReadinessWatch watch = new ReadinessWatch(relays, System.nanoTime())) {
      for (int i = 0; i <= o.faults(); i++) {
        DeliveryLedger ledger = run.ledger("pg", segment);
        ledgers.add(ledger);
        try (Publisher publisher = run.newPublisher()) {
          run.publishBacklog(publisher, ledger, segment);
        }
        if (i == o.faults()) {
          break;
        }
        awaitSome(ledger, segment / 10);
        run.say("restart %d: Postgres stopped in immediate mode with %,d of %,d delivered", i + 1,
            ledger.counts().unique(), segment);
        crashes.add(watch.seconds(System.nanoTime()));
        run.bench().postgres().crash();
        FaultRun.sleep(o.faultFor());
        run.bench().postgres().start();
        backs.add(watch.seconds(System.nanoTime()));
        run.say("restart %d: Postgres is back", i + 1);
      }
      boolean complete = true;
      for (DeliveryLedger l : ledgers) {
        complete &= run.awaitDelivered(l);
        tally = tally.plus(Tally.of(l, segment));
      }
      FaultRun.sleep(Duration.ofSeconds(1));
      LatencySummary idle = idleRoundTrips(run);
      FaultResult.Builder b = new FaultResult.Builder(name(), String.format(java.util.Locale.ROOT,
          "%,d events, %d relays, %d restarts, down %s each", tally.events(), o.relays(), o.faults(), Durations.format(o.faultFor())))
          .tally(tally)
          .check(tally.noneLost())
          .check(tally.noDuplicates())
          .check("everything delivered", complete, complete ? "yes" : "timed out after %s", Durations.format(o.drainTimeout()));
      judgeRecovery(run, b, watch, relays, crashes, backs);
      judgeListen(run, b, relays, o.faults(), idle);
      watch.changes().forEach(c -> b.figure("/health/ready: %s", c));
      return run.finish(b);
    }
  }

  /** Waits until {@code n} events arrived (at most 30 s), so the restart hits deliveries in progress. */
  private static void awaitSome(DeliveryLedger ledger, long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ledger.counts().unique() < n && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  private static void judgeRecovery(FaultRun run, FaultResult.Builder b, ReadinessWatch watch,
      List<RelayProcess> relays, List<Double> crashes, List<Double> backs) {
    double bound = (RECONNECT_BACKOFF_CAP.toMillis() + run.delivery().pollInterval().toMillis()) / 1000.0;
    boolean reported = true;
    boolean recovered = true;
    double worst = 0;
    for (int i = 0; i < crashes.size(); i++) {
      double crash = crashes.get(i);
      double back = backs.get(i);
      for (RelayProcess r : relays) {
        Optional<ReadinessWatch.Change> down = watch.firstNotReady(r.name(), crash);
        double from = down.map(ReadinessWatch.Change::atSeconds).orElse(back);
        // Ready may come before this tool saw the server's start return: that counts as 0 s.
        Optional<ReadinessWatch.Change> up = watch.firstReady(r.name(), from);
        reported &= down.isPresent() && down.get().atSeconds() <= back + bound;
        recovered &= up.isPresent();
        double took = up.map(c -> Math.max(0, c.atSeconds() - back)).orElse(Double.POSITIVE_INFINITY);
        worst = Math.max(worst, took);
        b.figure("restart %d, %s: not ready at %s, ready again %s after Postgres was back", i + 1, r.name(),
            down.map(c -> String.format(java.util.Locale.ROOT, "+%.1fs (%s)", c.atSeconds() - crash,
                c.reason())).orElse("never"),
            up.isPresent() ? String.format(java.util.Locale.ROOT, "%.1fs", took) : "never");
      }
    }
    boolean alive = relays.stream().allMatch(RelayProcess::alive);
    b.check("/health/ready reported each outage", reported, reported ? "every relay, every restart" : "not every time")
        .check("every relay ready again without a restart", recovered && alive, "%s; same processes %s",
            recovered ? "ready again" : "NOT ready again", alive ? "alive" : "NOT all alive")
        .timing("ready again within reconnect backoff cap + poll interval", worst <= bound, "slowest %.1fs, bound %.1fs",
            worst, bound);
  }

  private static void judgeListen(FaultRun run, FaultResult.Builder b, List<RelayProcess> relays, int restarts,
      LatencySummary idle) throws InterruptedException {
    // Within the recovery bound: the reconnect backoff (up to its cap) runs after the last outage.
    long deadline = System.nanoTime() + RECONNECT_BACKOFF_CAP.plus(run.delivery().pollInterval()).toNanos();
    boolean connected;
    List<String> reconnects;
    double waited;
    long start = System.nanoTime();
    do {
      connected = true;
      reconnects = new ArrayList<>();
      for (RelayProcess r : relays) {
        MetricTotals m = FaultRun.metrics(r);
        connected &= m.get("relay_listener_connected") == 1;
        reconnects.add(r.name() + " " + (long) m.get("relay_listener_reconnects_total"));
      }
      waited = (System.nanoTime() - start) / 1e9;
      if (!connected) {
        TimeUnit.MILLISECONDS.sleep(250);
      }
    } while (!connected && System.nanoTime() < deadline);
    double poll = run.delivery().pollInterval().toMillis();
    b.check("LISTEN re-established on every relay", connected, "relay_listener_connected = 1: %s (%.1f s after the "
        + "idle round trips); reconnects: %s", connected ? "all" : "NOT all", waited, reconnects)
        .figure("idle publish -> arrival after the restarts: p50 %.1f ms, max %.1f ms over %d round trips", idle.p50(),
            idle.max(), idle.count())
        .timing("idle publishes woken by NOTIFY (max < poll interval)", idle.count() == IDLE_ROUND_TRIPS
            && idle.max() < poll, "max %.1f ms, poll interval %.0f ms", idle.max(), poll);
  }

  /** One event at a time on an idle relay, each waited for: publish start to arrival. */
  private static LatencySummary idleRoundTrips(FaultRun run) throws Exception {
    DeliveryLedger ledger = run.ledger("pgidle", IDLE_ROUND_TRIPS);
    LatencyRecorder latency = new LatencyRecorder();
    var events = run.bench().events(ledger.ids());
    try (Publisher publisher = run.newPublisher()) {
      for (int seq = 0; seq < IDLE_ROUND_TRIPS; seq++) {
        TimeUnit.MILLISECONDS.sleep(300);
        var arrival = ledger.arrivalOf(seq);
        long start = System.nanoTime();
        publisher.publish(List.of(events.event(seq, start))).block(Duration.ofSeconds(30));
        try {
          latency.recordNanos(arrival.get(30, TimeUnit.SECONDS) - start);
        } catch (java.util.concurrent.TimeoutException e) {
          break;
        }
      }
    }
    return latency.total();
  }
}
