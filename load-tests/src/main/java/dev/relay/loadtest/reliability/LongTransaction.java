package dev.relay.loadtest.reliability;

import dev.relay.app.config.Durations;
import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.process.RelayProcess;
import dev.relay.loadtest.publish.PublishProgress;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * long-transaction: an open-loop stream at --rates for --duration, then for --fault-for while
 * another session holds a REPEATABLE READ transaction that took its snapshot (vacuum cannot
 * remove any row version deleted after it, so the queue's dead tuples pile up), then --duration
 * more after it commits. Reports dead tuples and the relay's claim p99 (its claim-duration
 * histogram) before, during and after: claims must stay bounded and recover; nothing lost.
 */
final class LongTransaction extends FaultScenario {
  private static final String DEAD_TUPLES =
      "SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables WHERE schemaname = '%s'";

  LongTransaction() {
    super("long-transaction",
        "500 events/s for 60s, then 5 minutes beside a REPEATABLE READ transaction holding back vacuum, then "
            + "60s more: claim p99 bounded and back after, dead tuples reported, 0 lost",
        Map.of("rates", "500", "duration", "60s", "fault-for", "5m", "relays", "1", "publish-batch", "20",
            "drain-timeout", "300s"),
        BaseSettings.SHORT_LEASES);
  }

  @Override
  FaultResult run(FaultRun run) throws Exception {
    var o = run.options();
    List<RelayProcess> relays = run.startReady(o.relays());
    RelayProcess relay = relays.get(0);
    double rate = o.rates().get(0);
    long total = Math.round(rate * (2 * o.duration().toSeconds() + o.faultFor().toSeconds()));
    DeliveryLedger ledger = run.ledger("lt", total);
    PublishProgress progress = new PublishProgress(ledger);
    CompletableFuture<Void> publishing = run.openLoop(ledger, rate, total, progress).toFuture();

    ClaimHistogram h0 = claims(relay);
    FaultRun.sleep(o.duration());
    ClaimHistogram h1 = claims(relay);
    long dead1 = run.number(DEAD_TUPLES);
    long heldXmin;
    long deadPeak;
    try (Connection tx = run.bench().postgres().connect()) {
      heldXmin = holdSnapshot(tx, run.schema());
      run.say("transaction holding back vacuum since xmin %d; %,d dead tuples now", heldXmin, dead1);
      deadPeak = sampleDeadTuples(run, o.faultFor());
      tx.commit();
    }
    ClaimHistogram h2 = claims(relay);
    long dead2 = run.number(DEAD_TUPLES);
    run.say("transaction committed; %,d dead tuples", dead2);
    FaultRun.sleep(o.duration());
    ClaimHistogram h3 = claims(relay);
    long dead3 = run.number(DEAD_TUPLES);
    publishing.get();
    ledger.expect(progress.published());
    boolean complete = run.awaitDelivered(ledger);
    FaultRun.sleep(Duration.ofSeconds(1));

    ClaimHistogram before = h1.minus(h0);
    ClaimHistogram during = h2.minus(h1);
    ClaimHistogram after = h3.minus(h2);
    double p99Before = before.quantileMillis(0.99);
    double p99During = during.quantileMillis(0.99);
    double p99After = after.quantileMillis(0.99);
    Tally tally = Tally.of(ledger, progress.published());
    double bound = 1000;
    return run.finish(new FaultResult.Builder(name(), String.format(Locale.ROOT, "%,d events at %.0f/s: %s before, %s beside "
        + "the transaction, %s after", progress.published(), rate, Durations.format(o.duration()), Durations.format(o.faultFor()), Durations.format(o.duration())))
        .tally(tally)
        .figure("claim p99 (bucket bound): %s before, %s during, %s after (%,.0f / %,.0f / %,.0f claims)",
            ms(p99Before), ms(p99During), ms(p99After), before.count(), during.count(), after.count())
        .figure("dead tuples in the relay schema: %,d before, up to %,d during, %,d at its end, %,d after", dead1,
            deadPeak, dead2, dead3)
        .check(tally.noneLost())
        .check(tally.noDuplicates())
        .check("everything delivered", complete, complete ? "yes" : "timed out after %s", Durations.format(o.drainTimeout()))
        .check("the transaction held vacuum back", dead2 > dead1 || deadPeak > dead1,
            "dead tuples %,d -> %,d", dead1, Math.max(dead2, deadPeak))
        .timing("claim p99 during <= 1 s", p99During <= bound, "%s", ms(p99During))
        .timing("claim p99 after <= 2x before + 20 ms", p99After <= 2 * p99Before + 20, "%s vs %s", ms(p99After),
            ms(p99Before)));
  }

  private static String ms(double millis) {
    return String.format(Locale.ROOT, "%.1f ms", millis);
  }

  private static ClaimHistogram claims(RelayProcess relay) throws IOException, InterruptedException {
    return ClaimHistogram.parse(relay.admin().metrics());
  }

  /** Opens a REPEATABLE READ transaction and reads from the queue, which fixes its snapshot; its xmin. */
  private static long holdSnapshot(Connection tx, String schema) throws SQLException {
    tx.setAutoCommit(false);
    tx.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try (Statement st = tx.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".delivery")) {
        rs.next();
      }
      try (ResultSet rs = st.executeQuery("SELECT backend_xmin::text::bigint FROM pg_stat_activity "
          + "WHERE pid = pg_backend_pid()")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Samples dead tuples every --sample-interval for {@code d}; the most seen. */
  private static long sampleDeadTuples(FaultRun run, Duration d) throws Exception {
    long end = System.nanoTime() + d.toNanos();
    long peak = 0;
    while (System.nanoTime() < end) {
      FaultRun.sleep(Duration.ofNanos(Math.min(run.options().sampleInterval().toNanos(), end - System.nanoTime())));
      peak = Math.max(peak, run.number(DEAD_TUPLES));
    }
    return peak;
  }
}
