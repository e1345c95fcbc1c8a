package dev.relay.app.admin;

import dev.relay.engine.endpoint.EndpointStatus;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** An endpoint in admin API answers. */
record EndpointView(
    String name,
    String state,
    @Nullable String reason,
    List<String> eventTypes,
    @Nullable String breaker,
    long backlog,
    @Nullable Double oldestPendingAgeSeconds,
    long deadLetters,
    String onDeadLetter,
    @Nullable String heldUntil) {

  static EndpointView of(EndpointStatus s, @Nullable String breaker) {
    return new EndpointView(s.name(), s.state(), s.reason(), s.eventTypes(), breaker, s.backlog(),
        s.oldestPendingAge() == null ? null : s.oldestPendingAge().toMillis() / 1000.0, s.dead(), s.onDeadLetter(),
        s.heldUntil() == null ? null : s.heldUntil().toString());
  }
}
