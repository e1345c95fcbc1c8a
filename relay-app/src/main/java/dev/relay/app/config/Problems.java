package dev.relay.app.config;

import java.util.ArrayList;
import java.util.List;

/** Collects configuration problems in the order found. */
final class Problems {
  private final List<ConfigProblem> list = new ArrayList<>();

  void add(String path, String message) {
    list.add(new ConfigProblem(path, message));
  }

  /** Adds the message of a record constructor, which starts with the key it names. */
  void add(IllegalArgumentException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int space = message.indexOf(' ');
    String first = space > 0 ? message.substring(0, space) : "";
    if (first.matches("[a-z][a-z0-9\\-]*([.\\[][a-z0-9\\-.\\[\\]]*)*")) {
      if (!has(first)) {
        add(first, message.substring(space + 1));
      }
    } else {
      add("", message);
    }
  }

  boolean has(String path) {
    return list.stream().anyMatch(p -> p.path().equals(path));
  }

  /** Whether a problem was recorded at {@code path} or below it. */
  boolean hasUnder(String path) {
    return list.stream().anyMatch(p -> p.path().equals(path) || p.path().startsWith(path + ".")
        || p.path().startsWith(path + "["));
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  List<ConfigProblem> asList() {
    return List.copyOf(list);
  }
}
