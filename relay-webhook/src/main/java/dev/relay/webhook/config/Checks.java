package dev.relay.webhook.config;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Constructor checks shared by the config records; messages name the configuration key. */
final class Checks {

  private Checks() {}

  static Duration positive(String key, @Nullable Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(key + " must be a positive duration, was " + value);
    }
    return value;
  }

  static int atLeast(String key, int min, int value) {
    if (value < min) {
      throw new IllegalArgumentException(key + " must be >= " + min + ", was " + value);
    }
    return value;
  }

  static <T> T present(String key, @Nullable T value) {
    if (value == null) {
      throw new IllegalArgumentException(key + " is required");
    }
    return value;
  }
}
