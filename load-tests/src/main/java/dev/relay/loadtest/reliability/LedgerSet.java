package dev.relay.loadtest.reliability;

import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.LatencyRecorder;
import dev.relay.loadtest.receiver.Arrival;
import dev.relay.loadtest.receiver.ArrivalListener;
import dev.relay.loadtest.receiver.Reply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every ledger of one fault scenario at once: an arrival goes to the ledger of its id's tag, so a
 * late duplicate of an earlier phase is still counted as that phase's duplicate; an id of no
 * ledger is unexpected. Also keeps the latency of first and later arrivals per endpoint, and the
 * last answer the receiver gave per event id (to check how each row was classified).
 */
final class LedgerSet implements ArrivalListener {
  private final Map<String, DeliveryLedger> byTag = new ConcurrentHashMap<>();
  private final Map<String, LatencyRecorder> latencyByPath = new ConcurrentHashMap<>();
  private final Map<String, Reply> lastReply = new ConcurrentHashMap<>();
  private final Map<String, String> answers = new ConcurrentHashMap<>();
  private final List<String> duplicateSample = new CopyOnWriteArrayList<>();
  private final LongAdder unexpected = new LongAdder();
  private static final int DUPLICATES_KEPT = 10;

  void add(DeliveryLedger ledger) {
    byTag.put(ledger.ids().tag(), ledger);
  }

  @Override
  public void onArrival(Arrival arrival) {
    String id = arrival.webhookId();
    int dash = id.lastIndexOf('-');
    DeliveryLedger ledger = dash > 0 ? byTag.get(id.substring(0, dash)) : null;
    if (ledger == null) {
      unexpected.increment();
      return;
    }
    long seq = ledger.ids().seq(id);
    if (ledger.arrived(seq) && duplicateSample.size() < DUPLICATES_KEPT) {
      duplicateSample.add(id);
    }
    ledger.onArrival(arrival);
    if (arrival.hasPublishedAt()) {
      latencyByPath.computeIfAbsent(arrival.path(), p -> new LatencyRecorder())
          .recordNanos(arrival.arrivalNanos() - arrival.publishedAtNanos());
    }
  }

  @Override
  public void onReply(Reply reply) {
    lastReply.put(reply.webhookId(), reply);
    answers.merge(reply.webhookId(), reply.describe(), (a, b) -> a + ", " + b);
  }

  /** The first few ids that arrived more than once, each with every answer the receiver gave it. */
  List<String> duplicates() {
    return duplicateSample.stream().map(id -> id + " (" + answers.getOrDefault(id, "?") + ")").toList();
  }

  /** Latency of arrivals at endpoint {@code path} since the previous call for it. */
  LatencyRecorder latency(String path) {
    return latencyByPath.computeIfAbsent(path, p -> new LatencyRecorder());
  }

  /** The receiver's last answer to event {@code id}; null if it never got a verified request for it. */
  Reply lastReply(String id) {
    return lastReply.get(id);
  }

  long unexpected() {
    return unexpected.sum();
  }
}
