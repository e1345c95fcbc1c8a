package dev.relay.app.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Collects configuration problems. A key gets its first problem only (a value that did not parse
 * is not also reported as missing); values are quoted only for keys that hold no secret and only
 * when written in the file (not taken from the environment); problems
 * are listed in key-path order, list indices numerically.
 */
final class Problems {
  private final List<ConfigProblem> list = new ArrayList<>();
  /** Key path to the environment variable that set it, named in that key's problems. */
  private final Map<String, String> fromEnvironment = new HashMap<>();
  /** Keys whose value came from the environment: it may be a secret put in the wrong place. */
  private final Set<String> hidden = new HashSet<>();

  void setFromEnvironment(String path, String variable) {
    fromEnvironment.put(path, variable);
    hidden.add(path);
  }

  void hideValue(String path) {
    hidden.add(path);
  }

  void add(String path, String message) {
    if (has(path)) {
      return;
    }
    String variable = fromEnvironment.get(path);
    list.add(new ConfigProblem(path, variable == null ? message : message + " (from environment variable " + variable + ")"));
  }

  /** Adds the problem and, unless the key holds a secret, the offending value (clipped, made printable). */
  void add(String path, String message, @Nullable Object value) {
    add(path, value == null || Secrecy.isSecret(path) || hiddenAt(path) ? message : message + ", was '" + Secrecy.printable(value.toString()) + "'");
  }

  /** Whether the value at {@code path}, or the one it was made from (a single value read as a list), is hidden. */
  private boolean hiddenAt(String path) {
    for (String p = path; !p.isEmpty(); p = p.replaceFirst("(\\[\\d+]|\\.[^.\\[]*)$", "")) {
      if (hidden.contains(p)) {
        return true;
      }
      if (!p.matches(".*(\\[\\d+]|\\.[^.\\[]*)$")) {
        break;
      }
    }
    return false;
  }

  /** Adds the message of a record constructor, which starts with the key it names. */
  void add(String fallbackPath, IllegalArgumentException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int space = message.indexOf(' ');
    String first = space > 0 ? message.substring(0, space) : "";
    if (first.matches("[a-z][a-z0-9\\-]*([.\\[][A-Za-z0-9\\-.\\[\\]]*)*")) {
      add(first, message.substring(space + 1));
    } else {
      add(fallbackPath, message);
    }
  }

  boolean has(String path) {
    return list.stream().anyMatch(p -> p.path().equals(path));
  }

  /** Whether a problem was recorded at {@code path} or below it. */
  boolean hasUnder(String path) {
    return list.stream().anyMatch(p -> path.isEmpty() || p.path().equals(path) || p.path().startsWith(path + ".")
        || p.path().startsWith(path + "["));
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  List<ConfigProblem> asList() {
    return list.stream().sorted(Comparator.comparing(ConfigProblem::path, Problems::comparePaths)).toList();
  }

  /** {@code endpoints[2]} before {@code endpoints[10]}; otherwise by text. */
  static int comparePaths(String a, String b) {
    String[] x = a.split("(?=\\[)|(?<=\\])");
    String[] y = b.split("(?=\\[)|(?<=\\])");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = x[i].startsWith("[") && y[i].startsWith("[") && x[i].matches("\\[\\d+]") && y[i].matches("\\[\\d+]")
          ? Integer.compare(Integer.parseInt(x[i].replaceAll("\\D", "")), Integer.parseInt(y[i].replaceAll("\\D", "")))
          : x[i].compareTo(y[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }
}
