package dev.relay.loadtest.reliability;

import dev.relay.app.config.Durations;
import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.LatencySummary;
import dev.relay.loadtest.process.RelayProcess;
import dev.relay.loadtest.publish.PublishProgress;
import dev.relay.loadtest.receiver.FaultSchedule;
import dev.relay.loadtest.receiver.Reply;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * receiver-faults: one endpoint of three answers badly in every way (500s, hangs past the attempt
 * deadline, connection resets, 410 Gone, a 200 whose body drips in over longer than the deadline,
 * redirects, 429 with Retry-After) while the other two answer at once. Every delivery must end
 * delivered or dead exactly as the receiver's last answer to it classifies (2xx delivered; 410
 * and other 4xx dead at once; retryable failures dead only after max-attempts), the faulty
 * endpoint never sees more requests at once than its max-in-flight, and the other endpoints get
 * everything once, with their latency beside the baseline. The test re-enables the faulty endpoint
 * after each 410 (as an operator would: POST /admin/endpoints/{name}/resume).
 */
final class ReceiverFaults extends FaultScenario {
  static final String FAULTY = "ep-0000";
  /** Shares of the faulty endpoint's answers; the rest is a plain 200. */
  private static final String FAULTS = "0s=error:500:0.30+hang:0.05+reset:0.05+error:410:0.01+drip:0.05:6s"
      + "+error:302:0.03+error:429:0.05";

  ReceiverFaults() {
    super("receiver-faults",
        "1 of 3 endpoints answers 30% 500, 5% hang, 5% reset, 1% 410, 5% slow-drip 200, 3% 302, 5% 429 "
            + "while 100/s are published for 60s (after a 60s baseline): every row ends as classified",
        Map.of("rates", "100", "duration", "60s", "endpoints", "3", "zipf", "0", "relays", "1",
            "drain-timeout", "300s"),
        BaseSettings.with(Map.of("delivery.retry.initial", "200ms", "delivery.retry.cap", "2s",
            "delivery.retry.max-attempts", "8", "delivery.retry.max-retry-after", "2s",
            "webhook.breaker.open-duration", "5s")));
  }

  @Override
  FaultResult run(FaultRun run) throws Exception {
    var o = run.options();
    List<RelayProcess> relays = run.startReady(o.relays());
    List<String> healthy = run.bench().endpoints().stream().filter(e -> !e.equals(FAULTY)).toList();
    double rate = o.rates().get(0);
    long n = Math.max(3, Math.round(rate * o.duration().toSeconds()));

    DeliveryLedger baseline = run.ledger("rfbase", n);
    PublishProgress baseProgress = openLoop(run, baseline, rate, n);
    boolean baseComplete = run.awaitDelivered(baseline);
    LatencySummary baseLatency = healthyLatency(run, healthy);
    run.say("baseline: %,d delivered; healthy endpoints p99 %.1f ms", baseline.counts().unique(), baseLatency.p99());

    run.bench().receiver().schedule(FAULTY, FaultSchedule.parse(FAULTS));
    run.bench().receiver().resetPeaks();
    DeliveryLedger faulty = run.ledger("rf", n);
    AtomicBoolean publishing = new AtomicBoolean(true);
    AtomicInteger reenabled = new AtomicInteger();
    Thread operator = new Thread(() -> reenable(run, relays.get(0), publishing, reenabled), "operator");
    operator.setDaemon(true);
    operator.start();
    long start = System.nanoTime();
    PublishProgress progress = openLoop(run, faulty, rate, n);
    LatencySummary faultLatency = healthyLatency(run, healthy);
    double publishSeconds = (System.nanoTime() - start) / 1e9;
    boolean settled = awaitNoPending(run, o.drainTimeout());
    publishing.set(false);
    operator.join();
    int peak = run.bench().receiver().peakConcurrency(FAULTY);
    int limit = o.relays() * run.delivery().endpointLimits().getOrDefault(FAULTY, run.delivery().endpointMaxInFlight());
    Classified c = classify(run, faulty);

    Tally tally = Tally.of(baseline, baseProgress.published()).plus(faultedTally(faulty, progress.published(), c));
    FaultResult.Builder b = new FaultResult.Builder(name(), String.format(Locale.ROOT,
        "%d relay, 3 endpoints, %,d events at %.0f/s without faults, then %,d with %s faulty", o.relays(),
        baseProgress.published(), rate, progress.published(), FAULTY))
        .tally(tally)
        .figure("%s: %,d delivered, %,d dead (%s), %,d misclassified", FAULTY, c.delivered(), c.dead(), c.deadWhy(),
            c.misclassified())
        .figure("%s last answers: %s", FAULTY, c.answers())
        .figure("%s re-enabled %d times after a 410", FAULTY, reenabled.get())
        .figure("%s peak concurrent requests %d (limit %d)", FAULTY, peak, limit)
        .figure("healthy endpoints: p50 %.1f / p99 %.1f ms with %s faulty, %.1f / %.1f ms baseline; %,.0f/s published",
            faultLatency.p50(), faultLatency.p99(), FAULTY, baseLatency.p50(), baseLatency.p99(),
            progress.published() / publishSeconds);
    c.examples().forEach(e -> b.figure("misclassified: %s", e));
    return run.finish(b.check(tally.noneLost())
        .check(tally.noDuplicates())
        .check("every delivery ended (none pending)", settled && baseComplete, settled ? "yes" : "timed out")
        .check(FAULTY + ": every row delivered or dead as its last answer classifies", c.misclassified() == 0
            && c.unfinished() == 0, "%,d misclassified, %,d not final", c.misclassified(), c.unfinished())
        .check(FAULTY + ": in flight never above its limit", peak <= limit, "peak %d, limit %d", peak, limit)
        .timing("healthy endpoints' p99 <= 2x baseline + 50 ms", faultLatency.p99() <= 2 * baseLatency.p99() + 50,
            "%.1f ms vs %.1f ms", faultLatency.p99(), baseLatency.p99()));
  }

  private static PublishProgress openLoop(FaultRun run, DeliveryLedger ledger, double rate, long n) {
    PublishProgress progress = new PublishProgress(ledger);
    run.openLoop(ledger, rate, n, progress).block(Duration.ofSeconds((long) (n / rate) + 120));
    ledger.expect(progress.published());
    return progress;
  }

  /** The slower healthy endpoint's latency since the last call. */
  private static LatencySummary healthyLatency(FaultRun run, List<String> healthy) {
    LatencySummary worst = LatencySummary.EMPTY;
    for (String e : healthy) {
      LatencySummary s = run.ledgers().latency(e).interval();
      if (s.p99() >= worst.p99()) {
        worst = s;
      }
    }
    return worst;
  }

  /** Until no row is pending, or the timeout. */
  private static boolean awaitNoPending(FaultRun run, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (run.number("SELECT count(*) FROM %s.delivery WHERE state = 'pending'") > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      FaultRun.sleep(Duration.ofMillis(500));
    }
    return true;
  }

  /** While publishing or draining: resume the faulty endpoint whenever a 410 disabled it. */
  private static void reenable(FaultRun run, RelayProcess admin, AtomicBoolean going, AtomicInteger count) {
    try {
      while (going.get()) {
        if (run.number("SELECT count(*) FROM %s.endpoint WHERE name = '" + FAULTY + "' AND disabled_reason IS NOT NULL")
            > 0) {
          admin.admin().resume(List.of(FAULTY));
          count.incrementAndGet();
        }
        FaultRun.sleep(Duration.ofMillis(200));
      }
    } catch (Exception e) {
      run.say("operator thread stopped: %s", e);
    }
  }

  /** The faulty endpoint's rows against the receiver's last answer to each. */
  private static Classified classify(FaultRun run, DeliveryLedger ledger) throws SQLException {
    int maxAttempts = run.delivery().retry().maxAttempts();
    Classified.Counter c = new Classified.Counter();
    String sql = ("SELECT m.event_id, d.state, d.attempts FROM %s.delivery d JOIN %s.message m ON m.id = d.message_id "
        + "WHERE d.endpoint = '" + FAULTY + "' AND m.event_id LIKE '" + ledger.ids().tag() + "-%%'")
        .formatted(run.schema(), run.schema());
    try (Statement st = run.control().createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String id = rs.getString(1);
        c.add(id, rs.getString(2), rs.getInt(3), run.ledgers().lastReply(id), maxAttempts);
      }
    }
    return c.result();
  }

  /**
   * The faulted phase by id: faulty rows that ended dead are not lost, and rows still pending when
   * the wait ran out are not lost either (the criterion "every delivery ended" fails for them).
   */
  private static Tally faultedTally(DeliveryLedger ledger, long published, Classified c) {
    Tally all = Tally.of(ledger, published).withPending(c.unfinished());
    long lost = Math.max(0, all.lost() - c.dead());
    return new Tally(all.events() - c.dead(), all.delivered(), lost, all.duplicates(),
        lost == 0 ? List.of() : all.missingSample());
  }

  /**
   * What became of the faulty endpoint's rows.
   *
   * @param deadWhy dead rows by their last answer
   * @param answers every row's last answer, counted
   * @param examples a few misclassified rows
   */
  record Classified(long delivered, long dead, long misclassified, long unfinished, Map<String, Long> deadWhy,
      Map<String, Long> answers, List<String> examples) {

    static final class Counter {
      private long delivered;
      private long dead;
      private long misclassified;
      private long unfinished;
      private final Map<String, Long> deadWhy = new TreeMap<>();
      private final Map<String, Long> answers = new TreeMap<>();
      private final java.util.ArrayList<String> examples = new java.util.ArrayList<>();

      void add(String id, String state, int attempts, Reply reply, int maxAttempts) {
        String answer = reply == null ? "none" : reply.describe();
        answers.merge(answer, 1L, Long::sum);
        String expected = expected(reply, attempts, maxAttempts);
        switch (state) {
          case "delivered" -> delivered++;
          case "dead" -> {
            dead++;
            deadWhy.merge(answer, 1L, Long::sum);
          }
          default -> unfinished++;
        }
        if (!state.equals("pending") && !state.equals(expected)) {
          misclassified++;
          if (examples.size() < 5) {
            examples.add(id + " is " + state + " after " + attempts + " attempt(s); last answer " + answer);
          }
        }
      }

      Classified result() {
        return new Classified(delivered, dead, misclassified, unfinished, deadWhy, answers, examples);
      }
    }

    /** 2xx delivered; 408, 425, 429, 3xx, 5xx, resets and hangs retried until max-attempts, then dead; other 4xx dead. */
    static String expected(Reply reply, int attempts, int maxAttempts) {
      if (reply == null) {
        return "never answered";
      }
      int s = reply.status();
      if (reply.success()) {
        return "delivered";
      }
      boolean retryable = s < 0 || s / 100 == 3 || s / 100 == 5 || s == 408 || s == 425 || s == 429;
      return !retryable || attempts >= maxAttempts ? "dead" : "pending";
    }
  }
}
