package dev.relay.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One YAML mapping being read. Every read records the key as known (what is left over is reported
 * as unknown), applies the {@code RELAY_<KEY_PATH>} environment override, expands {@code
 * ${VAR}} / {@code ${VAR:-default}} and reports a problem naming the key path instead of throwing,
 * so one pass lists every mistake.
 */
final class Section {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private final Problems problems;
  private final Map<String, String> env;
  private final String path;
  private final @Nullable ObjectNode node;
  private final Set<String> known = new LinkedHashSet<>();

  Section(Problems problems, Map<String, String> env, String path, @Nullable JsonNode node) {
    this.problems = problems;
    this.env = env;
    this.path = path;
    if (node != null && !node.isNull() && !node.isMissingNode() && !node.isObject()) {
      problems.add(path, "must be a mapping of keys to values, not " + kind(node));
      this.node = null;
    } else {
      this.node = node instanceof ObjectNode o ? o : null;
    }
  }

  String path() {
    return path;
  }

  String key(String k) {
    return path.isEmpty() ? k : path + "." + k;
  }

  boolean has(String k) {
    return (node != null && node.hasNonNull(k)) || env.containsKey(envName(key(k)));
  }

  Section section(String k) {
    known.add(k);
    return new Section(problems, env, key(k), node == null ? null : node.get(k));
  }

  /** A list of mappings, e.g. {@code endpoints}; each element's path is {@code key[i]}. */
  List<Section> sections(String k) {
    known.add(k);
    JsonNode n = node == null ? null : node.get(k);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      problems.add(key(k), "must be a list, not " + kind(n));
      return List.of();
    }
    List<Section> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      out.add(new Section(problems, env, key(k) + "[" + i + "]", n.get(i)));
    }
    return out;
  }

  @Nullable String string(String k) {
    return raw(k);
  }

  String string(String k, String fallback) {
    String v = raw(k);
    return v == null ? fallback : v;
  }

  @Nullable String required(String k) {
    String v = raw(k);
    if (v == null && !problems.has(key(k))) {
      problems.add(key(k), "is required");
    } else if (v != null && v.isBlank()) {
      problems.add(key(k), "must not be empty");
      return null;
    }
    return v;
  }

  int integer(String k, int fallback) {
    Integer v = optionalInteger(k);
    return v == null ? fallback : v;
  }

  @Nullable Integer optionalInteger(String k) {
    return convert(k, "a whole number", s -> {
      long l = Long.parseLong(s.replace("_", ""));
      if (l > Integer.MAX_VALUE || l < Integer.MIN_VALUE) {
        throw new IllegalArgumentException("is out of range: " + s);
      }
      return (int) l;
    });
  }

  double decimal(String k, double fallback) {
    Double v = convert(k, "a number", Double::parseDouble);
    return v == null ? fallback : v;
  }

  boolean bool(String k, boolean fallback) {
    Boolean v = convert(k, "true or false", s -> switch (s.toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> throw new IllegalArgumentException("x");
    });
    return v == null ? fallback : v;
  }

  Duration duration(String k, Duration fallback) {
    Duration v = convert(k, null, Durations::parse);
    return v == null ? fallback : v;
  }

  <T> @Nullable T convert(String k, @Nullable String expected, Function<String, T> parser) {
    String s = raw(k);
    if (s == null) {
      return null;
    }
    try {
      return parser.apply(s.trim());
    } catch (IllegalArgumentException e) {
      String detail = expected != null ? "must be " + expected + ", was '" + s + "'" : e.getMessage();
      problems.add(key(k), detail + fromEnv(k));
      return null;
    }
  }

  /** A list of plain values; a single value counts as a one-element list; env override is comma separated. */
  List<String> strings(String k) {
    known.add(k);
    String full = key(k);
    String override = env.get(envName(full));
    if (override != null) {
      List<String> out = new ArrayList<>();
      for (String part : override.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
      return out;
    }
    JsonNode n = node == null ? null : node.get(k);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (n.isValueNode()) {
      String v = interpolate(full, n.asText());
      return v == null ? List.of() : List.of(v);
    }
    if (!n.isArray()) {
      problems.add(full, "must be a list of values, not " + kind(n));
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode item = n.get(i);
      String itemPath = full + "[" + i + "]";
      if (!item.isValueNode() || item.isNull()) {
        problems.add(itemPath, "must be a single value, not " + kind(item));
        continue;
      }
      String v = interpolate(itemPath, item.asText());
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  /** A mapping of names to plain values, e.g. {@code headers}. Keys keep their spelling. */
  Map<String, String> stringMap(String k) {
    known.add(k);
    String full = key(k);
    JsonNode n = node == null ? null : node.get(k);
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      problems.add(full, "must be a mapping of names to values, not " + kind(n));
      return out;
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      String itemPath = full + "." + e.getKey();
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        problems.add(itemPath, "must be a single value, not " + kind(e.getValue()));
        continue;
      }
      String v = interpolate(itemPath, e.getValue().asText());
      if (v != null) {
        out.put(e.getKey(), v);
      }
    }
    return out;
  }

  /** Reports every key of this mapping that nothing read. Call after reading all keys. */
  void rejectUnknownKeys() {
    if (node == null) {
      return;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        problems.add(key(name), "unknown key" + suggestion(name));
      }
    }
  }

  private @Nullable String raw(String k) {
    known.add(k);
    String full = key(k);
    String override = env.get(envName(full));
    if (override != null) {
      return override;
    }
    JsonNode n = node == null ? null : node.get(k);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isValueNode()) {
      problems.add(full, "must be a single value, not " + kind(n));
      return null;
    }
    return interpolate(full, n.asText());
  }

  private @Nullable String interpolate(String at, String text) {
    if (text.indexOf("${") < 0) {
      return text;
    }
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    boolean ok = true;
    while (m.find()) {
      String value = env.get(m.group(1));
      if (value == null || (value.isEmpty() && m.group(2) != null)) {
        value = m.group(2);
      }
      if (value == null) {
        problems.add(at, "environment variable " + m.group(1) + " is not set");
        ok = false;
        value = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return ok ? out.toString() : null;
  }

  private String fromEnv(String k) {
    String name = envName(key(k));
    return env.containsKey(name) ? " (from environment variable " + name + ")" : "";
  }

  private String suggestion(String name) {
    String normalized = kebab(name);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = normalized.equals(candidate) ? 0 : distance(name.toLowerCase(Locale.ROOT), candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(2, name.length() / 4) ? " (did you mean '" + best + "'?)" : "";
  }

  /** {@code RELAY_} followed by the key path in upper case, non-alphanumerics as {@code _}. */
  static String envName(String keyPath) {
    String s = keyPath.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
    s = s.replaceAll("^_+|_+$", "");
    return "RELAY_" + s;
  }

  private static String kebab(String name) {
    return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replace('_', '-').toLowerCase(Locale.ROOT);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String kind(JsonNode n) {
    if (n.isArray()) {
      return "a list";
    }
    if (n.isObject()) {
      return "a mapping";
    }
    if (n.isNull()) {
      return "null";
    }
    return "'" + n.asText() + "'";
  }
}
