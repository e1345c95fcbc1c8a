package dev.relay.loadtest.reliability;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The relay's claim-duration histogram ({@code relay_claim_duration_seconds_bucket}, cumulative
 * counts per upper bound) from its Prometheus text; two readings subtract into the claims between
 * them, whose percentiles are read at bucket resolution.
 */
record ClaimHistogram(NavigableMap<Double, Double> buckets) {
  private static final String BUCKET = "relay_claim_duration_seconds_bucket{";

  ClaimHistogram {
    buckets = Collections.unmodifiableNavigableMap(new TreeMap<>(buckets));
  }

  static ClaimHistogram parse(String metrics) {
    TreeMap<Double, Double> b = new TreeMap<>();
    for (String line : metrics.split("\n")) {
      if (!line.startsWith(BUCKET)) {
        continue;
      }
      int le = line.indexOf("le=\"");
      String bound = line.substring(le + 4, line.indexOf('"', le + 4));
      double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
      b.merge(upper, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
    }
    return new ClaimHistogram(b);
  }

  ClaimHistogram minus(ClaimHistogram earlier) {
    TreeMap<Double, Double> diff = new TreeMap<>(buckets);
    for (Map.Entry<Double, Double> e : earlier.buckets.entrySet()) {
      diff.merge(e.getKey(), -e.getValue(), Double::sum);
    }
    return new ClaimHistogram(diff);
  }

  double count() {
    return buckets.isEmpty() ? 0 : buckets.lastEntry().getValue();
  }

  /** The upper bound, in milliseconds, of the bucket holding the {@code q} quantile; 0 if no claims. */
  double quantileMillis(double q) {
    double total = count();
    if (total <= 0) {
      return 0;
    }
    for (Map.Entry<Double, Double> e : buckets.entrySet()) {
      if (e.getValue() >= q * total) {
        return e.getKey() * 1000;
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
