package dev.relay.loadtest.run;

import dev.relay.engine.config.EngineConfig;
import dev.relay.loadtest.ceiling.DatabaseCeiling;
import dev.relay.loadtest.ceiling.HttpCeiling;
import dev.relay.loadtest.ceiling.Throughput;
import dev.relay.loadtest.cli.Options;
import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.EventIds;
import dev.relay.loadtest.ledger.LatencySummary;
import dev.relay.loadtest.receiver.Behaviour;
import dev.relay.loadtest.receiver.FaultSchedule;
import dev.relay.loadtest.report.Ceilings;
import org.jspecify.annotations.Nullable;

/** Measures the ceilings a scenario compares with, before any relay runs (nothing else competes). */
public final class CeilingRuns {
  private static final long MAX_DEFAULT_EVENTS = 50_000;

  private CeilingRuns() {}

  /** Throughput ceilings for moving {@code n} events with {@code relays} relays' concurrency. */
  public static Ceilings throughput(Workbench bench, long n, int relays) throws Exception {
    Options o = bench.options();
    long events = o.ceilingEvents() > 0 ? o.ceilingEvents() : Math.min(n, MAX_DEFAULT_EVENTS);
    Throughput database = null;
    Throughput http = null;
    if (o.measures("db")) {
      EngineConfig d = bench.delivery();
      bench.context().say("database ceiling: %,d events", events);
      database = new DatabaseCeiling(bench.postgres(), bench.schema() + "_ceiling", bench.endpoints())
          .drain(bench.events(bench.newIds("c")), events, d.endpointMaxInFlight(), d.claimBatchSize());
    }
    if (o.measures("http")) {
      int concurrency = bench.concurrency(relays);
      bench.context().say("HTTP ceiling: %,d signed POSTs, %d in flight", events, concurrency);
      FaultSchedule original = bench.receiver().schedule();
      bench.receiver().schedule(original.delaysOnly());
      try {
        EventIds ids = bench.newIds("h");
        http = new HttpCeiling(bench.receiver(), bench.secret(), bench.endpoints().get(0))
            .drain(bench.events(ids), new DeliveryLedger(ids, Math.toIntExact(events)), events, concurrency);
      } finally {
        bench.receiver().schedule(original);
      }
    }
    return new Ceilings(database, http, receiverBound(bench, relays), null, null);
  }

  /** Round-trip floors for the latency scenario: one row through the database, one signed POST. */
  public static Ceilings roundTrips(Workbench bench, int rounds) throws Exception {
    Options o = bench.options();
    LatencySummary database = null;
    LatencySummary http = null;
    if (o.measures("db")) {
      bench.context().say("database round trips: %,d", rounds);
      database = new DatabaseCeiling(bench.postgres(), bench.schema() + "_ceiling", bench.endpoints())
          .roundTrips(rounds, bench.payloads().body("floor", 0));
    }
    if (o.measures("http")) {
      bench.context().say("HTTP round trips: %,d", rounds);
      http = new HttpCeiling(bench.receiver(), bench.secret(), bench.endpoints().get(0))
          .roundTrips(bench.events(bench.newIds("f")), rounds);
    }
    return new Ceilings(null, null, null, database, http);
  }

  /** Concurrency / delay when the receiver delays every answer by the same time; else null. */
  private static @Nullable Double receiverBound(Workbench bench, int relays) {
    FaultSchedule s = bench.receiver().schedule();
    if (s.steps().size() != 1) {
      return null;
    }
    Behaviour b = s.steps().get(0).behaviour();
    double delaySeconds = b.delay().toNanos() / 1e9;
    return delaySeconds <= 0 ? null : bench.concurrency(relays) / delaySeconds;
  }
}
