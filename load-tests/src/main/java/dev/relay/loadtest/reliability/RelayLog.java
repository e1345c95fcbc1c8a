package dev.relay.loadtest.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A relay's log read back: its events (lines that start with the plain layout's timestamp; stack
 * trace lines belong to the event above) and their kinds: level, logger and message with every
 * number blanked and any "(and N more like it ...)" tail cut, so the same failure repeated is one
 * kind.
 */
final class RelayLog {
  private static final Pattern EVENT = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d[ T].*");
  private static final Pattern THREAD = Pattern.compile("\\[[^\\]]*\\] ");
  private static final Pattern NUMBERS = Pattern.compile("\\d+");

  private RelayLog() {}

  static List<String> lines(Path log) throws IOException {
    return Files.readAllLines(log);
  }

  /** Events among {@code lines}, counted per kind. */
  static Map<String, Long> kinds(List<String> lines) {
    Map<String, Long> kinds = new TreeMap<>();
    for (String line : lines) {
      if (EVENT.matcher(line).matches()) {
        kinds.merge(kind(line), 1L, Long::sum);
      }
    }
    return kinds;
  }

  static String kind(String event) {
    String s = event.substring(event.indexOf('Z') + 2);
    s = THREAD.matcher(s).replaceFirst("");
    int tail = s.indexOf(" (and ");
    s = NUMBERS.matcher(tail > 0 ? s.substring(0, tail) : s).replaceAll("#");
    return s.length() > 90 ? s.substring(0, 90) : s;
  }
}
