package dev.relay.engine.endpoint;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An endpoint as the engine serves it: a name, the event types it subscribes to, whether the
 * configuration pauses it, and what a dead letter does to its ordering keys.
 *
 * @param name unique endpoint name: letters, digits, {@code . _ -}, at most 64
 * @param eventTypes patterns; {@code *} matches any run of characters (so {@code invoice.*}
 *     matches {@code invoice.paid}); empty means every event type
 * @param paused hold its deliveries from the start
 * @param onDeadLetter whether a dead letter holds later messages of its ordering key
 */
public record EndpointSpec(String name, List<String> eventTypes, boolean paused, OnDeadLetter onDeadLetter) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public EndpointSpec {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "endpoints[].name must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit), was "
              + name);
    }
    eventTypes = List.copyOf(eventTypes);
    for (String type : eventTypes) {
      if (type == null || type.isBlank() || type.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException(
            "endpoints." + name + ".event-types must not contain empty entries or control characters");
      }
    }
    Objects.requireNonNull(onDeadLetter, "endpoints." + name + ".on-dead-letter");
  }

  public EndpointSpec(String name, List<String> eventTypes, boolean paused) {
    this(name, eventTypes, paused, OnDeadLetter.SKIP);
  }

  public EndpointSpec(String name, List<String> eventTypes) {
    this(name, eventTypes, false, OnDeadLetter.SKIP);
  }

  /** The patterns as SQL LIKE patterns: LIKE's own wildcards escaped, {@code *} as {@code %}. */
  public List<String> likePatterns() {
    return eventTypes.stream()
        .map(t -> t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%"))
        .toList();
  }
}
