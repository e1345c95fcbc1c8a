package dev.relay.engine.config;

import java.time.Duration;

/** Constructor checks shared by the config records; messages name the configuration key. */
final class Checks {
  private Checks() {}

  static void positive(String key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(key + " must be a positive duration, was " + value);
    }
  }

  static void positive(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(key + " must be >= 1, was " + value);
    }
  }

  static void notBlank(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " must not be empty");
    }
  }
}
