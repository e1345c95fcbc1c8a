package dev.relay.loadtest.receiver;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The receiver's running counts; {@link #snapshot()} reads them as a value. Also the requests in
 * progress per path (from the request's arrival to its answer's end, or the sender giving up) and
 * the most seen at once.
 */
final class Counters {
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> peak = new ConcurrentHashMap<>();
  final LongAdder requests = new LongAdder();
  final LongAdder accepted = new LongAdder();
  final LongAdder badSignatures = new LongAdder();
  final LongAdder malformed = new LongAdder();
  final LongAdder errorsAnswered = new LongAdder();
  final LongAdder resets = new LongAdder();
  final LongAdder hung = new LongAdder();

  void started(String path) {
    int now = open.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    peak.computeIfAbsent(path, p -> new AtomicInteger()).accumulateAndGet(now, Math::max);
  }

  void ended(String path) {
    open.get(path).decrementAndGet();
  }

  /** The most requests to {@code path} in progress at once since the last reset. */
  int peak(String path) {
    AtomicInteger p = peak.get(path);
    return p == null ? 0 : p.get();
  }

  /** Starts the peaks again from the requests in progress now. */
  void resetPeaks() {
    peak.forEach((path, p) -> p.set(open.get(path).get()));
  }

  ReceiverCounts snapshot() {
    return new ReceiverCounts(requests.sum(), accepted.sum(), badSignatures.sum(), malformed.sum(),
        errorsAnswered.sum(), resets.sum(), hung.sum());
  }
}
