package dev.relay.loadtest.publish;

import java.util.ArrayList;
import java.util.List;

/**
 * The open loop's schedule: event {@code i} is due {@code i * period} after the start. {@link
 * #take} hands out, in batches, the due events not handed out yet; each keeps its intended time.
 * Not thread-safe: one ticker thread calls it.
 */
final class DueEvents {
  private final EventFactory events;
  private final double periodNanos;
  private final long total;
  private final int maxBatch;
  private final int maxBatches;
  private final long startNanos;
  private long next;

  DueEvents(EventFactory events, double periodNanos, long total, int maxBatch, int maxBatches, long startNanos) {
    this.events = events;
    this.periodNanos = periodNanos;
    this.total = total;
    this.maxBatch = maxBatch;
    this.maxBatches = maxBatches;
    this.startNanos = startNanos;
  }

  /** Events due by {@code now} and not yet taken: at most {@code maxBatches} batches of {@code maxBatch}. */
  List<List<OutboundEvent>> take(long now) {
    long due = now < startNanos ? 0 : Math.min(total, (long) Math.floor((now - startNanos) / periodNanos) + 1);
    long until = Math.min(due, next + (long) maxBatch * maxBatches);
    List<List<OutboundEvent>> batches = new ArrayList<>();
    while (next < until) {
      long end = Math.min(until, next + maxBatch);
      List<OutboundEvent> batch = new ArrayList<>((int) (end - next));
      for (long seq = next; seq < end; seq++) {
        batch.add(events.event(seq, startNanos + Math.round(seq * periodNanos)));
      }
      batches.add(batch);
      next = end;
    }
    return batches;
  }

  boolean exhausted() {
    return next >= total;
  }
}
