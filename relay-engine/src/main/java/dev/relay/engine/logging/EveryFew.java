package dev.relay.engine.logging;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning that repeats while a failure lasts (every claim during a database outage, every poll
 * of a frozen connection): logged at once, then at most once per {@code period} with the number of
 * repeats it stood for, so the log says what is wrong without a line per attempt.
 */
public final class EveryFew {
  private final Logger log;
  private final long periodNanos;
  private final AtomicLong lastNanos = new AtomicLong(System.nanoTime() - Long.MAX_VALUE / 2);
  private final AtomicInteger suppressed = new AtomicInteger();

  public EveryFew(Logger log, Duration period) {
    this.log = log;
    this.periodNanos = period.toNanos();
  }

  /** Logs {@code format} at WARN unless one was logged within the period. */
  public void warn(String format, Object... args) {
    long now = System.nanoTime();
    long last = lastNanos.get();
    if (now - last < periodNanos || !lastNanos.compareAndSet(last, now)) {
      suppressed.incrementAndGet();
      return;
    }
    int more = suppressed.getAndSet(0);
    if (more == 0) {
      log.warn(format, args);
    } else {
      log.warn(format + " (and {} more like it since the last such line)", append(args, more));
    }
  }

  private static Object[] append(Object[] args, Object last) {
    Object[] out = java.util.Arrays.copyOf(args, args.length + 1);
    out[args.length] = last;
    return out;
  }
}
