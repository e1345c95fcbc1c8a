package dev.relay.engine.loop;

import java.time.Duration;

/** How a failure streak's age reads in log lines. */
final class Streaks {
  private Streaks() {}

  /** {@code 2d 12h}, {@code 3h 5m}, {@code 42s}: the two largest units. */
  static String describe(double seconds) {
    Duration d = Duration.ofSeconds((long) seconds);
    if (d.toDays() > 0) {
      return d.toDays() + "d " + d.toHoursPart() + "h";
    }
    if (d.toHours() > 0) {
      return d.toHours() + "h " + d.toMinutesPart() + "m";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + "m " + d.toSecondsPart() + "s";
    }
    return d.toSeconds() + "s";
  }
}
