package dev.relay.app.config;

import java.util.Objects;

/**
 * One thing wrong with the configuration.
 *
 * @param path the key path, e.g. {@code endpoints[0].url} or {@code delivery.retry.initial}
 * @param message what is wrong, never including a secret value
 */
public record ConfigProblem(String path, String message) {

  public ConfigProblem {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
