package dev.relay.loadtest.receiver;

/** Told about every accepted request, on a receiver event-loop thread: must be quick and never block. */
@FunctionalInterface
public interface ArrivalListener {
  ArrivalListener NONE = arrival -> {};

  void onArrival(Arrival arrival);
}
