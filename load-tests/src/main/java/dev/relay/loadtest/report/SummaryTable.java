package dev.relay.loadtest.report;

import dev.relay.loadtest.ceiling.Throughput;
import dev.relay.loadtest.ledger.LatencySummary;
import dev.relay.loadtest.postgres.TableStat;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The run as plain text for stdout (and results/*.txt). */
public final class SummaryTable {
  private SummaryTable() {}

  public static String render(RunReport r) {
    StringBuilder b = new StringBuilder();
    b.append("== relay-load ").append(r.scenario()).append(": ").append(r.description()).append('\n');
    Environment e = r.environment();
    if (e != null) {
      b.append("   ").append(e.postgres()).append("; ").append(e.cores()).append(" cores shared by relays, Postgres and this tool\n")
          .append("   relay: ").append(e.relayJar()).append(e.relayJvmArgs().isEmpty() ? " (no JVM options)" : " " + e.relayJvmArgs())
          .append("; ").append(e.delivery()).append(e.overrides().isEmpty() ? " (defaults)" : "; overrides " + e.overrides())
          .append('\n')
          .append("   publisher: ").append(e.publisher()).append("; receiver: ").append(e.receiver()).append('\n');
    }
    ceilings(b, r.ceilings());
    b.append('\n');
    TextTable t = new TextTable(PhaseColumns.HEADER);
    PhaseColumns.all(r.phases()).forEach(t::row);
    b.append(t);
    for (PhaseResult p : r.phases()) {
      b.append("   ").append(p.name()).append(": ").append(p.load()).append("; ").append(p.correctness().verdict());
      if (!p.offeredInFull()) {
        b.append(String.format(Locale.ROOT, "; published %,d of %,d scheduled", p.correctness().published(),
            p.scheduled()));
      }
      if (p.firstArrivalMillis() >= 0) {
        b.append(String.format(Locale.ROOT, "; first arrival after %.0f ms", p.firstArrivalMillis()));
      }
      if (p.catchUpSeconds() > 0) {
        b.append(String.format(Locale.ROOT, "; caught up %.2f s after the last publish", p.catchUpSeconds()));
      } else if (p.catchUpSeconds() < 0) {
        b.append("; never caught up");
      }
      b.append(String.format(Locale.ROOT, "; peak backlog %,d", p.peakBacklog()));
      if (p.backlogGrowthPerSecond() != 0) {
        b.append(String.format(Locale.ROOT, " (trend %+.1f/s while publishing)", p.backlogGrowthPerSecond()));
      }
      if (p.publishLag().count() > 0) {
        b.append("; publish lag p99 ").append(Format.ms(p.publishLag().p99())).append(" ms");
      }
      if (p.afterCommit().count() > 0) {
        b.append("; after commit p50 ").append(Format.ms(p.afterCommit().p50())).append(" / p99 ")
            .append(Format.ms(p.afterCommit().p99())).append(" ms");
      }
      b.append('\n');
      p.notes().forEach(n -> b.append("     note: ").append(n).append('\n'));
    }
    if (!r.targets().isEmpty()) {
      b.append("\nTargets (reported, not asserted):\n");
      r.targets().forEach(c -> b.append("   ").append(c.met() ? "MET    " : "MISSED ").append(c.target())
          .append(": ").append(c.measured()).append('\n'));
    }
    if (!r.criteria().isEmpty()) {
      b.append("\nPass criteria:\n");
      r.criteria().forEach(c -> b.append("   ").append(c.met() ? "PASS " : "FAIL ").append(c.target())
          .append(": ").append(c.measured()).append('\n'));
    }
    if (!r.tables().isEmpty()) {
      b.append("\nRelay tables after the run:\n");
      TextTable tables = new TextTable("table", "live tuples", "dead tuples", "total size");
      for (TableStat s : r.tables()) {
        tables.row(s.table(), Format.count(s.liveTuples()), Format.count(s.deadTuples()), Format.bytes(s.totalBytes()));
      }
      b.append(tables);
    }
    if (!r.relayExitCodes().isEmpty()) {
      b.append("Relay exit codes after SIGTERM: ").append(r.relayExitCodes()).append('\n');
    }
    r.notes().forEach(n -> b.append("Note: ").append(n).append('\n'));
    b.append(String.format(Locale.ROOT, "Result: %s (wall time %.0f s)%n",
        r.correct() ? "CORRECT (nothing lost, signatures valid, no unwarranted duplicates)" : "NOT CORRECT", r.wallSeconds()));
    return b.toString();
  }

  private static void ceilings(StringBuilder b, Ceilings c) {
    throughput(b, "database ceiling", c.database());
    throughput(b, "HTTP ceiling", c.http());
    if (c.theoreticalHttp() != null) {
      b.append("   receiver-bound limit: ").append(Format.rate(c.theoreticalHttp())).append("/s (concurrency / receiver delay)\n");
    }
    latency(b, "database round trip (publish, claim, settle inside Postgres)", c.databaseRoundTrip());
    latency(b, "HTTP round trip (one signed POST)", c.httpRoundTrip());
  }

  private static void throughput(StringBuilder b, String name, @Nullable Throughput t) {
    if (t != null) {
      b.append("   ").append(name).append(": ").append(Format.rate(t.perSecond())).append("/s (")
          .append(Format.count(t.events())).append(" in ").append(Format.seconds(t.seconds())).append(" s; ")
          .append(t.how()).append(")\n");
    }
  }

  private static void latency(StringBuilder b, String name, @Nullable LatencySummary l) {
    if (l != null) {
      b.append("   ").append(name).append(": p50 ").append(Format.ms(l.p50())).append(" ms, p99 ")
          .append(Format.ms(l.p99())).append(" ms\n");
    }
  }
}
