package dev.relay.engine.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A runtime endpoint as stored: its settings and its signing secrets, sealed (AES-256-GCM, by a
 * relay) or still plain (given to a SQL function, not sealed yet). {@link #toString()} leaves the
 * secrets out.
 *
 * @param previousLeft how long the previous secret still signs (database time), null if none
 */
public record RuntimeEndpoint(
    String name,
    String url,
    List<String> eventTypes,
    @Nullable String tenant,
    String metadataJson,
    OnDeadLetter onDeadLetter,
    boolean paused,
    long version,
    Instant createdAt,
    Instant updatedAt,
    @Nullable String secretSealed,
    @Nullable String secretPlain,
    @Nullable String previousSealed,
    @Nullable String previousPlain,
    @Nullable Instant previousExpiresAt,
    @Nullable Duration previousLeft) {

  public RuntimeEndpoint {
    eventTypes = List.copyOf(eventTypes);
  }

  /** Whether a secret still waits to be sealed. */
  public boolean hasPlainSecrets() {
    return secretPlain != null || previousPlain != null;
  }

  @Override
  public String toString() {
    return "RuntimeEndpoint[name=" + name + ", tenant=" + tenant + ", version=" + version + ", secrets=redacted]";
  }
}
