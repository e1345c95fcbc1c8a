package dev.relay.app.config;

import java.util.Locale;

/**
 * Log output. Secrets, signatures, bearer tokens and URL user-info are redacted in both formats.
 *
 * @param format {@code plain} (default) or {@code json} (one object per line)
 * @param level root level: trace, debug, info (default), warn, error
 */
public record LoggingConfig(Format format, String level) {

  public static final LoggingConfig DEFAULT = new LoggingConfig(Format.PLAIN, "info");

  public enum Format {
    PLAIN,
    JSON
  }

  public LoggingConfig {
    level = level.toLowerCase(Locale.ROOT);
    if (!java.util.Set.of("trace", "debug", "info", "warn", "error").contains(level)) {
      throw new IllegalArgumentException(
          "logging.level must be one of trace, debug, info, warn, error, was " + level);
    }
  }
}
