package dev.relay.loadtest.receiver;

/**
 * Told about every accepted request, and (if it cares) how every verified request was answered,
 * on a receiver event-loop thread: must be quick and never block.
 */
@FunctionalInterface
public interface ArrivalListener {
  ArrivalListener NONE = arrival -> {};

  void onArrival(Arrival arrival);

  /** How a verified request is about to be answered (told before {@link #onArrival} for a 200). */
  default void onReply(Reply reply) {}
}
