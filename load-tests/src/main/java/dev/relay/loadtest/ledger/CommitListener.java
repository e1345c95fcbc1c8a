package dev.relay.loadtest.ledger;

import java.util.List;

/** Told when events are committed: their ids and {@link System#nanoTime()} right after the commit returned. */
@FunctionalInterface
public interface CommitListener {
  CommitListener NONE = (ids, nanos) -> {};

  void committed(List<String> ids, long nanos);
}
