package dev.relay.engine.loop;

import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * Wakes the loop when scheduled retries come due: every due time is kept (in 10 ms buckets, at
 * most {@link #MAX} of them, the latest dropped first: the poll finds those) and one timer runs
 * for the earliest. Due times are database time, so each wakeup comes a few ms after, never
 * before.
 */
final class WakeTimers {
  static final int MAX = 10_000;
  private static final long BUCKET_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final Scheduler scheduler;
  private final Runnable wake;
  private final TreeSet<Long> due = new TreeSet<>();
  private @Nullable Disposable timer;
  private long timerAt;
  private boolean stopped;

  WakeTimers(Scheduler scheduler, Runnable wake) {
    this.scheduler = scheduler;
    this.wake = wake;
  }

  synchronized void wakeIn(long delayMillis) {
    if (stopped) {
      return;
    }
    long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMillis));
    due.add(Math.floorDiv(at + BUCKET_NANOS - 1, BUCKET_NANOS) * BUCKET_NANOS);
    if (due.size() > MAX) {
      due.pollLast();
    }
    arm();
  }

  /** Due times waiting (for tests and metrics). */
  synchronized int pending() {
    return due.size();
  }

  synchronized void stop() {
    stopped = true;
    due.clear();
    if (timer != null) {
      timer.dispose();
    }
  }

  private void arm() {
    if (due.isEmpty() || stopped) {
      return;
    }
    long first = due.first();
    if (timer != null && !timer.isDisposed() && timerAt == first) {
      return;
    }
    if (timer != null) {
      timer.dispose();
    }
    timerAt = first;
    long delay = Math.max(0, first - System.nanoTime()) + LATE_NANOS;
    timer = scheduler.schedule(this::fire, delay, TimeUnit.NANOSECONDS);
  }

  private void fire() {
    synchronized (this) {
      long now = System.nanoTime();
      while (!due.isEmpty() && due.first() - now <= 0) {
        due.pollFirst();
      }
      timer = null;
      arm();
    }
    wake.run();
  }
}
