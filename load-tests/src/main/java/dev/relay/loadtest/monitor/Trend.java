package dev.relay.loadtest.monitor;

import java.util.List;
import java.util.function.ToDoubleFunction;

/** Least-squares slope of a sampled value over a time window, per second. */
public final class Trend {
  private Trend() {}

  /** The slope of {@code value} over samples with {@code from <= t <= to}; 0 with fewer than 3 known points. */
  public static double slope(List<Sample> samples, double from, double to, ToDoubleFunction<Sample> value) {
    double n = 0;
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (Sample s : samples) {
      double y = value.applyAsDouble(s);
      if (s.t() < from || s.t() > to || y < 0) {
        continue;
      }
      n++;
      sx += s.t();
      sy += y;
      sxx += s.t() * s.t();
      sxy += s.t() * y;
    }
    double denominator = n * sxx - sx * sx;
    return n < 3 || denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
  }

  /** Mean of {@code value} over the samples (known values only); NaN if none. */
  public static double mean(List<Sample> samples, ToDoubleFunction<Sample> value) {
    return samples.stream().mapToDouble(value).filter(v -> v >= 0).average().orElse(Double.NaN);
  }
}
