package dev.relay.engine.deadletter;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Selects dead letters; every filter is optional.
 *
 * @param since died at or after
 * @param until died before
 * @param limit most rows listed or changed by one call, 1..10000
 */
public record DeadLetterQuery(
    @Nullable String endpoint,
    @Nullable String eventType,
    @Nullable Instant since,
    @Nullable Instant until,
    int limit) {

  public static final int MAX_LIMIT = 10_000;

  public DeadLetterQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be within 1.." + MAX_LIMIT + ", was " + limit);
    }
  }

  public static DeadLetterQuery all() {
    return new DeadLetterQuery(null, null, null, null, MAX_LIMIT);
  }

  public static DeadLetterQuery forEndpoint(String endpoint) {
    return new DeadLetterQuery(endpoint, null, null, null, MAX_LIMIT);
  }
}
