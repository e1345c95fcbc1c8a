package dev.relay.loadtest.process;

import java.util.HashMap;
import java.util.Map;

/**
 * Prometheus samples summed per metric name over all label sets (and over relays, with {@link
 * #plus}): enough to tell how many claims a phase took and how long they were on average.
 */
public record MetricTotals(Map<String, Double> totals) {
  public static final MetricTotals NONE = new MetricTotals(Map.of());

  public MetricTotals {
    totals = Map.copyOf(totals);
  }

  /** Reads the text format; comment and unparseable lines are skipped. */
  public static MetricTotals parse(String text) {
    Map<String, Double> sums = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      int brace = line.indexOf('{');
      String name = line.substring(0, brace > 0 && brace < space ? brace : space);
      try {
        double v = Double.parseDouble(line.substring(space + 1));
        if (Double.isFinite(v)) {
          sums.merge(name, v, Double::sum);
        }
      } catch (NumberFormatException e) {
        // a timestamped or malformed sample: not needed here
      }
    }
    return new MetricTotals(sums);
  }

  public double get(String name) {
    return totals.getOrDefault(name, 0.0);
  }

  public MetricTotals plus(MetricTotals other) {
    Map<String, Double> sums = new HashMap<>(totals);
    other.totals.forEach((k, v) -> sums.merge(k, v, Double::sum));
    return new MetricTotals(sums);
  }

  public MetricTotals minus(MetricTotals earlier) {
    Map<String, Double> diff = new HashMap<>(totals);
    earlier.totals.forEach((k, v) -> diff.merge(k, -v, Double::sum));
    return new MetricTotals(diff);
  }
}
