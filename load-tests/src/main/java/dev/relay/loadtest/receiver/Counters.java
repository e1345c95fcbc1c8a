package dev.relay.loadtest.receiver;

import java.util.concurrent.atomic.LongAdder;

/** The receiver's running counts; {@link #snapshot()} reads them as a value. */
final class Counters {
  final LongAdder requests = new LongAdder();
  final LongAdder accepted = new LongAdder();
  final LongAdder badSignatures = new LongAdder();
  final LongAdder malformed = new LongAdder();
  final LongAdder errorsAnswered = new LongAdder();
  final LongAdder resets = new LongAdder();
  final LongAdder hung = new LongAdder();

  ReceiverCounts snapshot() {
    return new ReceiverCounts(requests.sum(), accepted.sum(), badSignatures.sum(), malformed.sum(),
        errorsAnswered.sum(), resets.sum(), hung.sum());
  }
}
