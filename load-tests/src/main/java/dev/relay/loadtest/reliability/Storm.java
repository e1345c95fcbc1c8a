package dev.relay.loadtest.reliability;

import dev.relay.app.config.Durations;
import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.process.RelayProcess;
import dev.relay.loadtest.publish.PublishProgress;
import dev.relay.loadtest.receiver.Behaviour;
import dev.relay.loadtest.receiver.FaultSchedule;
import dev.relay.loadtest.receiver.Receiver;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * storm: the receiver is down (every connection reset) for --fault-for while a backlog waits,
 * then answers again. The retries must not storm the receiver (backoff with jitter and the
 * circuit breaker: no second with more attempts than twice the concurrency limit), the receiver
 * never sees more requests at once than the configured concurrency (not during the outage, not
 * when it comes back), and the backlog drains, once.
 */
final class Storm extends FaultScenario {
  Storm() {
    // Backoff capped at 30 s and enough attempts that nothing goes dead during the outage.
    super("storm",
        "the receiver down (connections reset) for 10 minutes under a backlog of 5,000, then back: no storm of "
            + "retries, never more in flight than configured, the backlog drains",
        Map.of("events", "5000", "relays", "1", "fault-for", "10m", "publish-batch", "500",
            "drain-timeout", "600s"),
        BaseSettings.with(Map.of("delivery.retry.initial", "1s", "delivery.retry.cap", "30s",
            "delivery.retry.max-attempts", "1000")));
  }

  @Override
  FaultResult run(FaultRun run) throws Exception {
    var o = run.options();
    List<RelayProcess> relays = run.startReady(o.relays());
    Receiver receiver = run.bench().receiver();
    String endpoint = run.bench().endpoints().get(0);
    int limit = o.relays() * Math.min(run.delivery().maxInFlight(),
        run.delivery().endpointLimits().getOrDefault(endpoint, run.delivery().endpointMaxInFlight()));

    receiver.schedule(FaultSchedule.constant(Behaviour.OK.withResets(1.0)));
    receiver.resetPeaks();
    DeliveryLedger ledger = run.ledger("storm", o.events());
    PublishProgress progress = run.publishBacklog(ledger, o.events());
    run.say("receiver down for %s with %,d events waiting", Durations.format(o.faultFor()), progress.published());
    long requestsBefore = receiver.counts().requests();
    long peakPerSecond = 0;
    long end = System.nanoTime() + o.faultFor().toNanos();
    long last = requestsBefore;
    while (System.nanoTime() < end) {
      FaultRun.sleep(Duration.ofSeconds(1));
      long now = receiver.counts().requests();
      peakPerSecond = Math.max(peakPerSecond, now - last);
      last = now;
    }
    long attemptsDown = last - requestsBefore;
    int peakDown = receiver.peakConcurrency(endpoint);
    long pending = run.number("SELECT count(*) FROM %s.delivery WHERE state = 'pending'");
    long mostDueInOneSecond = run.number("SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM %s.delivery "
        + "WHERE state = 'pending' GROUP BY date_trunc('second', next_attempt_at)) AS due");
    long secondsWithDue = run.number("SELECT count(DISTINCT date_trunc('second', next_attempt_at)) FROM %s.delivery "
        + "WHERE state = 'pending'");

    receiver.schedule(FaultSchedule.ALWAYS_OK);
    receiver.resetPeaks();
    long upAt = System.nanoTime();
    run.say("receiver back; %,d pending", pending);
    boolean complete = run.awaitDelivered(ledger);
    double drainSeconds = (ledger.lastFirstArrivalNanos() - upAt) / 1e9;
    int peakUp = receiver.peakConcurrency(endpoint);
    FaultRun.sleep(Duration.ofSeconds(1));
    Tally tally = Tally.of(ledger, progress.published());
    double mean = attemptsDown / Math.max(1.0, o.faultFor().toSeconds());
    return run.finish(new FaultResult.Builder(name(), String.format(Locale.ROOT, "%,d events, %d relay, receiver down %s",
        progress.published(), o.relays(), Durations.format(o.faultFor())))
        .tally(tally)
        .figure("while down: %,d attempts (%.1f/s on average, at most %,d in one second)", attemptsDown, mean,
            peakPerSecond)
        .figure("at the end of the outage: %,d pending, due over %,d distinct seconds, at most %,d in one second "
            + "(rows an open breaker holds back stay due; the concurrency limit paces them when it closes)",
            pending, secondsWithDue, mostDueInOneSecond)
        .figure("peak concurrent requests: %d while down, %d after (limit %d)", peakDown, peakUp, limit)
        .figure("backlog drained %.1f s after the receiver came back", drainSeconds)
        .check(tally.noneLost())
        .check(tally.noDuplicates())
        .check("the backlog drains", complete, complete ? "yes" : "timed out after %s", Durations.format(o.drainTimeout()))
        .check("never more in flight than configured", peakDown <= limit && peakUp <= limit,
            "peak %d down, %d back; limit %d", peakDown, peakUp, limit)
        .timing("no storm of retries while down (no second over 2 x the concurrency limit)",
            peakPerSecond <= 2L * limit, "at most %,d attempts in one second, limit %d", peakPerSecond, limit));
  }
}
