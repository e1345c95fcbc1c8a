package dev.relay.app.admin;

import dev.relay.engine.endpoint.EndpointStatus;
import dev.relay.engine.endpoint.FailureStreak;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An endpoint in admin API answers. {@code failingSince}, {@code failedAttempts}, {@code warning}
 * and {@code disableAfter} describe its failure streak (every attempt since then failed); null, 0,
 * false and null when it has none.
 */
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
    @Nullable String heldUntil,
    @Nullable String failingSince,
    int failedAttempts,
    boolean warning,
    @Nullable String disableAfter) {

  static EndpointView of(EndpointStatus s, @Nullable String breaker) {
    FailureStreak f = s.failing();
    return new EndpointView(s.name(), s.state(), s.reason(), s.eventTypes(), breaker, s.backlog(),
        s.oldestPendingAge() == null ? null : s.oldestPendingAge().toMillis() / 1000.0, s.dead(), s.onDeadLetter(),
        s.heldUntil() == null ? null : s.heldUntil().toString(),
        f == null ? null : f.since().toString(), f == null ? 0 : f.failedAttempts(), f != null && f.warning(),
        f == null || f.disableAfter() == null ? null : f.disableAfter().toString());
  }
}
