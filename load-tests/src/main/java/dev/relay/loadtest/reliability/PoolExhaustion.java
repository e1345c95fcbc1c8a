package dev.relay.loadtest.reliability;

import dev.relay.app.config.Durations;
import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.process.HealthAnswer;
import dev.relay.loadtest.process.RelayProcess;
import dev.relay.loadtest.publish.PublishProgress;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * pool-exhaustion: other clients hold nearly every connection Postgres allows. A relay started
 * then, and a running relay whose connections are cut while none are free, must say so within
 * --fault-for: exit with a message naming the cause, or answer /health/ready not ready with a
 * reason (or be ready and deliver, degraded); never run silently without answering. Once the
 * connections are given back it delivers everything (restarted first if it had exited, as an
 * orchestrator would).
 */
final class PoolExhaustion extends FaultScenario {
  /** Connections left free for the relay started during the exhaustion (its pool wants 10 + LISTEN). */
  private static final int LEFT_AT_START = 2;

  PoolExhaustion() {
    super("pool-exhaustion",
        "max_connections used up by others at relay start (2 left) and while running (0 left, its connections "
            + "cut): a clear exit or not-ready reason within 60s, then 1,000 delivered once connections free up",
        Map.of("events", "1000", "relays", "1", "fault-for", "60s", "publish-batch", "100",
            "drain-timeout", "120s"),
        BaseSettings.SHORT_LEASES);
  }

  @Override
  FaultResult run(FaultRun run) throws Exception {
    var o = run.options();
    run.number("SELECT 1"); // the control connection, before the hogs take the rest
    FaultResult.Builder b = new FaultResult.Builder(name(), String.format(Locale.ROOT,
        "1 relay; %,d events after each exhaustion; %s to say what is wrong", o.events(), Durations.format(o.faultFor())));
    Tally tally;
    try (ConnectionHogs hogs = new ConnectionHogs(run.bench().postgres().address())) {
      int held = hogs.fill(LEFT_AT_START);
      run.say("%d connections held by others, %d left; starting a relay", held, LEFT_AT_START);
      RelayProcess relay = run.start("relay-1");
      Signal atStart = observe(relay, o.faultFor(), false);
      b.figure("others held %d connections (Postgres then said: %s)", held, hogs.refusal())
          .figure("relay started with %d connections left: %s after %.1f s", LEFT_AT_START, atStart.what(),
              atStart.seconds())
          .check("at start: a clear signal within " + Durations.format(o.faultFor()), atStart.clear(), "%s", atStart.what());
      hogs.release();
      relay = running(run, relay);
      DeliveryLedger first = run.ledger("pxstart", o.events());
      PublishProgress p1 = run.publishBacklog(first, o.events());
      boolean firstDone = run.awaitDelivered(first);

      held = hogs.fill(0);
      long cut = run.terminateRelayBackends();
      run.say("%d connections held by others, none left; %d relay connections terminated", held, cut);
      DeliveryLedger second = run.ledger("pxrun", o.events());
      PublishProgress p2 = run.publishBacklog(second, o.events());
      Signal whileRunning = observe(relay, o.faultFor(), true);
      b.figure("running relay with its %d connections cut and none free: %s after %.1f s", cut, whileRunning.what(),
              whileRunning.seconds())
          .check("while running: a clear signal within " + Durations.format(o.faultFor()), whileRunning.clear(), "%s",
              whileRunning.what());
      hogs.release();
      relay = running(run, relay);
      boolean secondDone = run.awaitDelivered(second);
      tally = Tally.of(first, p1.published()).plus(Tally.of(second, p2.published()));
      b.check("delivers once connections free up", firstDone && secondDone, "after start %s, while running %s",
          firstDone ? "all" : "NOT all", secondDone ? "all" : "NOT all");
    }
    return run.finish(b.tally(tally)
        .check(tally.noneLost())
        .check(tally.noDuplicates()));
  }

  /** The relay if it still runs (waited ready), else a new one in its place. */
  private static RelayProcess running(FaultRun run, RelayProcess relay) throws IOException, InterruptedException {
    RelayProcess r = relay.alive() ? relay : run.start("relay-1");
    run.awaitReady(r);
    return r;
  }

  /**
   * What the relay says within {@code bound}: it exits (its last log line the reason), answers not
   * ready with a reason, or (unless {@code mustFail}) answers ready. Silence for the whole bound, a
   * process alive and not answering, is not clear.
   */
  private static Signal observe(RelayProcess relay, Duration bound, boolean mustFail) throws Exception {
    long start = System.nanoTime();
    long deadline = start + bound.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      double seconds = (System.nanoTime() - start) / 1e9;
      if (!relay.alive()) {
        int code = relay.awaitExit(Duration.ofSeconds(5));
        return new Signal(true, "exited " + code + ": " + reasonIn(relay.logTail(40)), seconds);
      }
      HealthAnswer a = relay.admin().health("/health/ready");
      if (a.answered() && !a.ok()) {
        return new Signal(true, "not ready: " + ReadinessWatch.reason(a), seconds);
      }
      if (a.ok() && !mustFail) {
        return new Signal(true, "ready (degraded: fewer connections)", seconds);
      }
      last = a.ok() ? "ready although no connection is free" : a.body();
      TimeUnit.MILLISECONDS.sleep(250);
    }
    return new Signal(false, "nothing clear within " + bound + " (last: " + last + ")", bound.toSeconds());
  }

  /** The last ERROR or WARN line of a log tail, or its last line. */
  private static String reasonIn(String tail) {
    List<String> lines = tail.lines().toList();
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).contains(" ERROR ") || lines.get(i).contains(" WARN ")) {
        return lines.get(i);
      }
    }
    return lines.isEmpty() ? "(empty log)" : lines.get(lines.size() - 1);
  }

  /** What the relay said, whether that is a clear signal, and when. */
  private record Signal(boolean clear, String what, double seconds) {}
}
