package dev.relay.loadtest.ledger;

import org.HdrHistogram.Histogram;

/** Latency percentiles in milliseconds; all 0 when {@code count} is 0. */
public record LatencySummary(long count, double p50, double p90, double p99, double p999, double max, double mean) {
  public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

  /** From a histogram recorded in microseconds. */
  public static LatencySummary of(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencySummary(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)),
        ms(micros.getValueAtPercentile(90)), ms(micros.getValueAtPercentile(99)),
        ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()), micros.getMean() / 1000.0);
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
