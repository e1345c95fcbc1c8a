package dev.relay.loadtest.ledger;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * Latencies from many threads into HdrHistogram (microseconds, 1 µs to 1 h, 3 significant
 * digits). {@link #interval()} returns what was recorded since the previous call (for charts over
 * time) and folds it into the total; values above the range are clamped to it, and counted.
 */
public final class LatencyRecorder {
  private static final long HIGHEST_MICROS = 3_600_000_000L;

  private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
  private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
  private @Nullable Histogram reusable;

  public void recordNanos(long nanos) {
    long micros = Math.max(0, nanos / 1000);
    recorder.recordValue(Math.min(micros, HIGHEST_MICROS));
  }

  /** Latency since the previous interval (or the start), folded into the total. */
  public synchronized LatencySummary interval() {
    Histogram interval = drain();
    return LatencySummary.of(interval);
  }

  /** Everything recorded so far. */
  public synchronized LatencySummary total() {
    drain();
    return LatencySummary.of(total);
  }

  /** Moves what was recorded since the last call into the total; returns that interval. */
  private Histogram drain() {
    Histogram interval = reusable == null ? recorder.getIntervalHistogram() : recorder.getIntervalHistogram(reusable);
    reusable = interval;
    total.add(interval);
    return interval;
  }
}
