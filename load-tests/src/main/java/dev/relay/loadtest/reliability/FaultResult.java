package dev.relay.loadtest.reliability;

import dev.relay.loadtest.report.TargetCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One fault scenario's outcome.
 *
 * @param scenario its name, e.g. {@code kill9}
 * @param size what ran, in words (the sizes used)
 * @param tally events, delivered, lost, duplicates
 * @param unexpected arrivals of ids nobody published in this scenario
 * @param bound the duplicates allowed, in words ("0", "7 kills x 256 = 1,792")
 * @param figures other measurements, one phrase each
 * @param correctness criteria about what was delivered and whether it recovered (CI asserts these)
 * @param timing criteria about how fast it recovered (the command's PASS needs them too; CI does not assert them)
 * @param exitCodes exit codes of the relays stopped with SIGTERM at the end
 * @param seconds wall time
 */
record FaultResult(String scenario, String size, Tally tally, long unexpected, String bound, List<String> figures,
    List<TargetCheck> correctness, List<TargetCheck> timing, List<Integer> exitCodes, double seconds) {

  FaultResult {
    figures = List.copyOf(figures);
    correctness = List.copyOf(correctness);
    timing = List.copyOf(timing);
    exitCodes = List.copyOf(exitCodes);
  }

  /** Every criterion met (and there was at least one): the scenario passed. */
  boolean pass() {
    return !correctness.isEmpty() && correctness.stream().allMatch(TargetCheck::met)
        && timing.stream().allMatch(TargetCheck::met);
  }

  /** A scenario that could not run to the end: it fails, saying why. */
  static FaultResult failed(String scenario, String size, Exception e, double seconds) {
    return new FaultResult(scenario, size, Tally.NONE, 0, "-", List.of("failed: " + e),
        List.of(new TargetCheck("ran to the end", e.toString(), false)), List.of(), List.of(), seconds);
  }

  /** Collects a result while a scenario runs. */
  static final class Builder {
    private final String scenario;
    private final String size;
    private final List<String> figures = new ArrayList<>();
    private final List<TargetCheck> correctness = new ArrayList<>();
    private final List<TargetCheck> timing = new ArrayList<>();
    private Tally tally = Tally.NONE;
    private String bound = "0";

    Builder(String scenario, String size) {
      this.scenario = scenario;
      this.size = size;
    }

    Builder tally(Tally t) {
      this.tally = t;
      return this;
    }

    Builder bound(String b) {
      this.bound = b;
      return this;
    }

    Builder figure(String format, Object... args) {
      figures.add(String.format(Locale.ROOT, format, args));
      return this;
    }

    Builder check(TargetCheck c) {
      correctness.add(c);
      return this;
    }

    Builder check(String what, boolean met, String format, Object... args) {
      return check(new TargetCheck(what, String.format(Locale.ROOT, format, args), met));
    }

    /** Ids of the tally so far that never arrived (the first few). */
    List<String> missingSample() {
      return tally.missingSample();
    }

    Builder timing(String what, boolean met, String format, Object... args) {
      timing.add(new TargetCheck(what, String.format(Locale.ROOT, format, args), met));
      return this;
    }

    FaultResult build(long unexpected, List<Integer> exitCodes, double seconds) {
      return new FaultResult(scenario, size, tally, unexpected, bound, figures, correctness, timing, exitCodes,
          seconds);
    }
  }
}
