package dev.relay.webhook.testing;

import dev.relay.engine.spi.Delivery;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Builds SPI deliveries for tests. */
public final class Deliveries {

  private static final AtomicLong IDS = new AtomicLong();

  private Deliveries() {}

  public static Delivery to(String endpoint) {
    return to(endpoint, "{\"id\":42}", 1);
  }

  public static Delivery to(String endpoint, String payload, int attempt) {
    long id = IDS.incrementAndGet();
    return new Delivery(id, endpoint, "msg_" + id, "invoice.paid", payload, "application/json",
        null, attempt, Instant.parse("2026-01-01T00:00:00Z"));
  }
}
