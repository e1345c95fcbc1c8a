package dev.relay.loadtest.reliability;

import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.LatencyRecorder;
import dev.relay.loadtest.receiver.Arrival;
import dev.relay.loadtest.receiver.ArrivalListener;
import dev.relay.loadtest.receiver.Reply;
import java.util.Map;
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
  private final Map<String, Integer> lastReply = new ConcurrentHashMap<>();
  private final LongAdder unexpected = new LongAdder();

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
    ledger.onArrival(arrival);
    if (arrival.hasPublishedAt()) {
      latencyByPath.computeIfAbsent(arrival.path(), p -> new LatencyRecorder())
          .recordNanos(arrival.arrivalNanos() - arrival.publishedAtNanos());
    }
  }

  @Override
  public void onReply(Reply reply) {
    lastReply.put(reply.webhookId(), reply.status());
  }

  /** Latency of arrivals at endpoint {@code path} since the previous call for it. */
  LatencyRecorder latency(String path) {
    return latencyByPath.computeIfAbsent(path, p -> new LatencyRecorder());
  }

  /** The receiver's last answer to event {@code id} (a status, or {@link Reply#RESET}/{@link Reply#HANG}); null if never asked. */
  Integer lastReply(String id) {
    return lastReply.get(id);
  }

  long unexpected() {
    return unexpected.sum();
  }
}
