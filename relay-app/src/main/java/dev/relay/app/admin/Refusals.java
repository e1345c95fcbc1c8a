package dev.relay.app.admin;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refused admin calls (no or wrong token) at most once per interval with a count, so an
 * operator whose token does not match (a trailing newline, the wrong secret) sees why, and a flood
 * of bad requests cannot flood the log.
 */
final class Refusals {
  private static final Logger log = LoggerFactory.getLogger(Refusals.class);

  private final long intervalNanos;
  private final AtomicLong nextLogAt = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong sinceLast = new AtomicLong();

  Refusals(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  void refused(String operation, boolean tokenConfigured) {
    long count = sinceLast.incrementAndGet();
    long now = System.nanoTime();
    long next = nextLogAt.get();
    if ((next == Long.MIN_VALUE || now - next >= 0) && nextLogAt.compareAndSet(next, now + intervalNanos)) {
      sinceLast.addAndGet(-count);
      log.warn("Admin {} refused with 401 ({} refused since the last such message): {}", operation, count,
          tokenConfigured ? "missing or wrong bearer token (compare admin.token, which is stripped of surrounding "
              + "whitespace, with the caller's)" : "admin.token is not set, so the admin API is off");
    }
  }
}
