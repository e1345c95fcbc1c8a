package dev.relay.loadtest.publish;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Which endpoint each event goes to. With one endpoint, none is named and the relay's event-type
 * routing delivers it (the ordinary publish call). With several, event {@code seq} targets an
 * endpoint drawn from a Zipf distribution with exponent {@code s} (0 = uniform): endpoint k of n
 * gets a share proportional to 1/k^s. Deterministic per seq, so a run can be repeated.
 */
public final class Targets {
  private final List<String> endpoints;
  private final double[] cumulative;

  public Targets(List<String> endpoints, double s) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one endpoint");
    }
    if (s < 0) {
      throw new IllegalArgumentException("--zipf must not be negative, was " + s);
    }
    this.endpoints = List.copyOf(endpoints);
    this.cumulative = new double[endpoints.size()];
    double sum = 0;
    for (int k = 0; k < cumulative.length; k++) {
      sum += 1 / Math.pow(k + 1, s);
      cumulative[k] = sum;
    }
    for (int k = 0; k < cumulative.length; k++) {
      cumulative[k] /= sum;
    }
  }

  public @Nullable String endpointFor(long seq) {
    if (endpoints.size() == 1) {
      return null;
    }
    return endpoints.get(index(uniform(seq)));
  }

  /** The share of traffic endpoint {@code k} (0-based) receives. */
  public double share(int k) {
    return cumulative[k] - (k == 0 ? 0 : cumulative[k - 1]);
  }

  private int index(double u) {
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** SplitMix64 of seq, as a double in [0, 1). */
  private static double uniform(long seq) {
    long z = seq + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }
}
