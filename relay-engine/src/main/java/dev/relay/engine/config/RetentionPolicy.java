package dev.relay.engine.config;

import java.time.Duration;

/**
 * What the purger keeps. Only terminal rows are ever purged: delivered, discarded and superseded
 * deliveries after {@code delivered}, dead letters after {@code dead}; a message goes once it has no delivery
 * left and is older than {@code delivered} (messages nobody subscribed to are kept that long too).
 *
 * @param delivered how long delivered/discarded/superseded rows are kept (default 24 h)
 * @param dead how long dead letters are kept (default 30 days)
 * @param interval how often the purger runs (default 1 min)
 * @param batchSize rows deleted per statement, to keep transactions short (default 1000)
 */
public record RetentionPolicy(Duration delivered, Duration dead, Duration interval, int batchSize) {

  public static final RetentionPolicy DEFAULT =
      new RetentionPolicy(Duration.ofHours(24), Duration.ofDays(30), Duration.ofMinutes(1), 1000);

  public RetentionPolicy {
    Checks.positive("delivery.retention.delivered", delivered);
    Checks.positive("delivery.retention.dead", dead);
    Checks.positive("delivery.retention.interval", interval);
    Checks.positive("delivery.retention.batch-size", batchSize);
  }
}
