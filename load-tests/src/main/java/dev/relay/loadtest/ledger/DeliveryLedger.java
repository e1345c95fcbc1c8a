package dev.relay.loadtest.ledger;

import dev.relay.loadtest.receiver.Arrival;
import dev.relay.loadtest.receiver.ArrivalListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The arrivals of one phase, exactly: a bit per event id {@code TAG-0 .. TAG-(capacity-1)} tells
 * first arrivals from duplicates, and which ids never came. First arrivals that carry a publish
 * time record {@code arrival - publishedAt} as latency; with commit times from the publisher it
 * also tells the latency after the commit. Thread-safe; listens on receiver and publisher threads.
 */
public final class DeliveryLedger implements ArrivalListener, CommitListener {
  private final EventIds ids;
  private final int capacity;
  private final AtomicLongArray seen;
  private final AtomicLong unique = new AtomicLong();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder unexpected = new LongAdder();
  private final AtomicLong lastFirstArrivalNanos = new AtomicLong();
  private final AtomicLong earliestArrivalNanos = new AtomicLong(Long.MAX_VALUE);
  private final LatencyRecorder latency = new LatencyRecorder();
  /** Per seq: first arrival and commit time (nanoTime, 0 = not yet), for the relay's share of latency. */
  private final AtomicLongArray arrivedAt;
  private final AtomicLongArray committedAt;
  private final ConcurrentHashMap<Long, CompletableFuture<Long>> waiters = new ConcurrentHashMap<>();
  private volatile long expected;
  private volatile long completedAtNanos;

  public DeliveryLedger(EventIds ids, int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative");
    }
    this.ids = ids;
    this.capacity = capacity;
    this.seen = new AtomicLongArray(capacity / 64 + 1);
    this.arrivedAt = new AtomicLongArray(capacity);
    this.committedAt = new AtomicLongArray(capacity);
    this.expected = capacity;
  }

  public EventIds ids() {
    return ids;
  }

  public int capacity() {
    return capacity;
  }

  /** The ledger is complete when this many distinct ids arrived (default: its capacity). */
  public void expect(long count) {
    this.expected = count;
    if (unique.get() >= count && completedAtNanos == 0) {
      completedAtNanos = lastFirstArrivalNanos.get();
    }
  }

  @Override
  public void onArrival(Arrival arrival) {
    long seq = ids.seq(arrival.webhookId());
    if (seq < 0 || seq >= capacity) {
      unexpected.increment();
      return;
    }
    if (!markFirst((int) seq)) {
      duplicates.increment();
      return;
    }
    if (arrival.hasPublishedAt()) {
      latency.recordNanos(arrival.arrivalNanos() - arrival.publishedAtNanos());
    }
    arrivedAt.set((int) seq, arrival.arrivalNanos());
    lastFirstArrivalNanos.accumulateAndGet(arrival.arrivalNanos(), Math::max);
    earliestArrivalNanos.accumulateAndGet(arrival.arrivalNanos(), Math::min);
    if (unique.incrementAndGet() == expected) {
      completedAtNanos = arrival.arrivalNanos();
    }
    CompletableFuture<Long> waiter = waiters.remove(seq);
    if (waiter != null) {
      waiter.complete(arrival.arrivalNanos());
    }
  }

  @Override
  public void committed(List<String> eventIds, long nanos) {
    for (String id : eventIds) {
      long seq = ids.seq(id);
      if (seq >= 0 && seq < capacity) {
        committedAt.set((int) seq, nanos);
      }
    }
  }

  /**
   * Latency from the publisher's commit (as it saw it return) to the first arrival: the relay's
   * share, without the time publishing took. An arrival can beat the commit's return by a hair;
   * those count as 0.
   */
  public LatencySummary afterCommit() {
    LatencyRecorder r = new LatencyRecorder();
    for (int seq = 0; seq < capacity; seq++) {
      long a = arrivedAt.get(seq);
      long c = committedAt.get(seq);
      if (a != 0 && c != 0) {
        r.recordNanos(Math.max(0, a - c));
      }
    }
    return r.total();
  }

  private boolean markFirst(int seq) {
    long bit = 1L << (seq & 63);
    int word = seq >>> 6;
    long prev = seen.getAndAccumulate(word, bit, (a, b) -> a | b);
    return (prev & bit) == 0;
  }

  public boolean arrived(long seq) {
    return seq >= 0 && seq < capacity && (seen.get((int) (seq >>> 6)) & (1L << (seq & 63))) != 0;
  }

  /**
   * Completes with the arrival time of {@code seq}. Register before publishing it; one waiter per
   * id. Used for sequential round trips.
   */
  public CompletableFuture<Long> arrivalOf(long seq) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    waiters.put(seq, f);
    if (arrived(seq) && waiters.remove(seq, f)) {
      f.complete(System.nanoTime());
    }
    return f;
  }

  public LedgerCounts counts() {
    return new LedgerCounts(unique.get(), duplicates.sum(), unexpected.sum());
  }

  public LatencyRecorder latency() {
    return latency;
  }

  /** When the expected number of distinct ids had arrived (the last one's arrival time), if it has. */
  public OptionalLong completedAtNanos() {
    long t = completedAtNanos;
    return t == 0 ? OptionalLong.empty() : OptionalLong.of(t);
  }

  /** Arrival time of the earliest arrival, if any. */
  public OptionalLong earliestArrivalNanos() {
    long t = earliestArrivalNanos.get();
    return t == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(t);
  }

  /** Arrival time of the latest first arrival so far, or 0. */
  public long lastFirstArrivalNanos() {
    return lastFirstArrivalNanos.get();
  }

  /** Waits until the expected ids arrived or {@code timeout} passed; true if complete. */
  public boolean awaitComplete(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (unique.get() < expected) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
    return true;
  }

  /** Ids among the first {@code published} that never arrived: how many, and up to {@code limit} of them. */
  public Missing missing(long published, int limit) {
    long count = 0;
    List<String> sample = new ArrayList<>();
    for (long seq = 0; seq < Math.min(published, capacity); seq++) {
      if (!arrived(seq)) {
        count++;
        if (sample.size() < limit) {
          sample.add(ids.id(seq));
        }
      }
    }
    return new Missing(count, sample);
  }

  /** Ids that never arrived: the exact count and the first few. */
  public record Missing(long count, List<String> sample) {}
}
