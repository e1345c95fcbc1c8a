package dev.relay.app.cli;

import dev.relay.engine.deadletter.DeadLetterQuery;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Dead-letter filters shared by {@code relay dead-letters list|replay|discard}. */
final class DeadLetterFilters {
  @Option(names = "--endpoint", paramLabel = "NAME", description = "Only this endpoint.")
  @Nullable String endpoint;

  @Option(names = "--event-type", paramLabel = "TYPE", description = "Only this event type.")
  @Nullable String eventType;

  @Option(names = "--since", paramLabel = "INSTANT", description = "Died at or after, e.g. 2026-01-31T00:00:00Z.")
  @Nullable Instant since;

  @Option(names = "--until", paramLabel = "INSTANT", description = "Died before.")
  @Nullable Instant until;

  boolean any() {
    return endpoint != null || eventType != null || since != null || until != null;
  }

  DeadLetterQuery query(int limit) {
    return new DeadLetterQuery(endpoint, eventType, since, until, limit);
  }
}
