package dev.relay.app.config;

import java.util.Locale;

/**
 * What a dead letter does to later messages with the same ordering key at that endpoint ({@code
 * endpoints[].on-dead-letter}).
 */
public enum OnDeadLetter {
  /** Later messages with the key continue (default). */
  SKIP,
  /** The key is held until an operator replays or discards the dead letter. */
  BLOCK;

  /** {@code skip} or {@code block}, as written in relay.yaml. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  static OnDeadLetter parse(String text) {
    return valueOf(text.strip().toUpperCase(Locale.ROOT));
  }
}
