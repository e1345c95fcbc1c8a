package dev.relay.engine.history;

import dev.relay.engine.delivery.DeliveryRecord;
import java.util.List;

/** A delivery with its attempts, oldest first. */
public record DeliveryHistory(DeliveryRecord delivery, List<AttemptRecord> attempts) {
  public DeliveryHistory {
    attempts = List.copyOf(attempts);
  }
}
