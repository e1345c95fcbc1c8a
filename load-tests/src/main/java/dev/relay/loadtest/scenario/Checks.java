package dev.relay.loadtest.scenario;

import dev.relay.loadtest.monitor.Sample;
import dev.relay.loadtest.monitor.Trend;
import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.TargetCheck;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/** The targets as {@link TargetCheck}s, phrased the same way in every scenario. */
final class Checks {
  private Checks() {}

  static TargetCheck ofLowerCeiling(PhaseResult p, double atLeast) {
    Double ratio = p.ratios().ofLower();
    String target = String.format(Locale.ROOT, "%s >= %.0f%% of the lower ceiling", p.name(), 100 * atLeast);
    if (ratio == null) {
      return new TargetCheck(target, "no ceiling measured", false);
    }
    return new TargetCheck(target, String.format(Locale.ROOT, "%.0f%% (%,.0f/s)%s", 100 * ratio, p.throughput(),
        p.correctness().timedOut() ? ", drain timed out" : ""), ratio >= atLeast && !p.correctness().timedOut());
  }

  static TargetCheck ofCeiling(PhaseResult p, String ceiling, @Nullable Double perSecond, double atLeast) {
    String target = String.format(Locale.ROOT, "%s >= %.0f%% of %s", p.name(), 100 * atLeast, ceiling);
    if (perSecond == null || perSecond <= 0) {
      return new TargetCheck(target, "not measured", false);
    }
    double ratio = p.throughput() / perSecond;
    return new TargetCheck(target, String.format(Locale.ROOT, "%.0f%% (%,.0f/s of %,.0f/s)", 100 * ratio,
        p.throughput(), perSecond), ratio >= atLeast && !p.correctness().timedOut());
  }

  static TargetCheck peakRss(PhaseResult p, double mib) {
    return new TargetCheck(String.format(Locale.ROOT, "%s peak RSS <= %.0f MiB", p.name(), mib),
        String.format(Locale.ROOT, "%.0f MiB", p.usage().peakRssMiB()), p.usage().peakRssMiB() <= mib);
  }

  static TargetCheck latency(PhaseResult p, String percentile, double measured, double ms) {
    return new TargetCheck(String.format(Locale.ROOT, "%s %s <= %.0f ms", p.name(), percentile, ms),
        String.format(Locale.ROOT, "%.2f ms%s", measured, p.offeredInFull() ? "" : " (rate not offered in full)"),
        measured <= ms && p.correctness().ok() && p.offeredInFull());
  }

  /** The backlog does not grow: slope under 1% of the rate per second and caught up within 2 s. */
  static TargetCheck noGrowingBacklog(PhaseResult p, double rate) {
    boolean caughtUp = p.catchUpSeconds() >= 0 && p.catchUpSeconds() <= 2;
    boolean met = p.backlogGrowthPerSecond() <= 0.01 * rate && caughtUp && !p.correctness().timedOut()
        && p.offeredInFull();
    return new TargetCheck(p.name() + " no growing backlog", String.format(Locale.ROOT,
        "%sbacklog trend %+.1f/s, peak %,d, %s", p.offeredInFull() ? "" : "rate not offered (publisher fell behind); ",
        p.backlogGrowthPerSecond(), p.peakBacklog(),
        p.catchUpSeconds() < 0 ? "never caught up" : String.format(Locale.ROOT, "caught up %.2f s after the last "
            + "publish", p.catchUpSeconds())), met);
  }

  static TargetCheck noDuplicates(PhaseResult p) {
    return new TargetCheck(p.name() + " no duplicates", p.correctness().duplicates() + " duplicates",
        p.correctness().duplicates() == 0);
  }

  /**
   * Flat over a soak: the mean of the last tenth of the samples at most {@code factor} times (plus
   * {@code slack}) the mean of the second tenth (the first is start-up). Each window has at least
   * one sample.
   */
  static TargetCheck flat(PhaseResult p, String what, ToDoubleFunction<Sample> value, double factor, double slack,
      String unit) {
    List<Sample> s = p.samples();
    int tenth = Math.max(1, s.size() / 10);
    double early = Trend.mean(s.subList(Math.min(tenth, s.size()), Math.min(2 * tenth, s.size())), value);
    double late = Trend.mean(s.subList(Math.max(0, s.size() - tenth), s.size()), value);
    boolean met = !Double.isNaN(early) && !Double.isNaN(late) && late <= early * factor + slack;
    return new TargetCheck(String.format(Locale.ROOT, "%s %s flat (last tenth <= %.1fx the second tenth + %.0f %s)",
        p.name(), what, factor, slack, unit), String.format(Locale.ROOT, "%.1f -> %.1f %s", early, late, unit), met);
  }
}
