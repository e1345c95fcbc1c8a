package dev.relay.engine.endpoint;

import java.util.Locale;

/**
 * What a dead letter does to later messages with the same ordering key to the same endpoint.
 * Messages without an ordering key are never held back.
 */
public enum OnDeadLetter {
  /** Later messages of the key continue (the default): the dead letter waits for an operator alone. */
  SKIP,
  /** The key waits until an operator replays or discards the dead letter. */
  BLOCK;

  /** As in configuration and the database: {@code skip} or {@code block}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code skip} or {@code block}; anything else is refused naming the key. */
  public static OnDeadLetter parse(String value) {
    for (OnDeadLetter v : values()) {
      if (v.key().equals(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException("on-dead-letter must be skip or block, was '" + value + "'");
  }
}
