package dev.relay.loadtest.reliability;

import dev.relay.loadtest.report.TargetCheck;
import dev.relay.loadtest.report.TextTable;
import java.util.List;
import java.util.Locale;

/** The reliability results as text: one row per scenario, then each one's figures and criteria. */
final class ReliabilityTable {
  private static final String[] HEADER = {"scenario", "events", "delivered", "lost", "duplicates", "bound",
      "unexpected", "seconds", "result"};

  private ReliabilityTable() {}

  static String render(List<FaultResult> results) {
    TextTable table = new TextTable(HEADER);
    for (FaultResult r : results) {
      Tally t = r.tally();
      table.row(new String[] {r.scenario(), count(t.events()), count(t.delivered()), count(t.lost()),
          count(t.duplicates()), r.bound(), count(r.unexpected()), String.format(Locale.ROOT, "%.0f", r.seconds()),
          r.pass() ? "PASS" : "FAIL"});
    }
    StringBuilder b = new StringBuilder("== relay-load reliability\n\n").append(table);
    for (FaultResult r : results) {
      b.append('\n').append(r.scenario()).append(" (").append(r.size()).append("):\n");
      r.figures().forEach(f -> b.append("   ").append(f).append('\n'));
      r.correctness().forEach(c -> b.append(line(c, "")));
      r.timing().forEach(c -> b.append(line(c, " " + ReliabilityScenario.TIMING)));
      if (!r.exitCodes().isEmpty()) {
        b.append("   relay exit codes after SIGTERM at the end: ").append(r.exitCodes()).append('\n');
      }
    }
    long passed = results.stream().filter(FaultResult::pass).count();
    b.append(String.format(Locale.ROOT, "%nReliability: %d of %d scenarios PASS%n", passed, results.size()));
    return b.toString();
  }

  private static String line(TargetCheck c, String kind) {
    return "   " + (c.met() ? "PASS " : "FAIL ") + c.target() + kind + ": " + c.measured() + "\n";
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
