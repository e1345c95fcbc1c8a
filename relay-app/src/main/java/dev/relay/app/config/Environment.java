package dev.relay.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What the environment does to the file: {@code ${VAR}} and {@code ${VAR:-default}} in values are
 * expanded, then {@code RELAY_<KEY_PATH>} variables replace keys (lists comma separated; they change
 * endpoints the file has, they do not add any). A {@code RELAY_} variable that is neither a key nor
 * used in the file is reported as a warning with the nearest key.
 */
final class Environment {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  /** Read by the launcher (RELAY_JAR, RELAY_CDS_ARCHIVE), the CLI and the tests, not by the file. */
  private static final Set<String> OTHER_USES =
      Set.of("RELAY_CONFIG", "RELAY_JAR", "RELAY_CDS_ARCHIVE", "RELAY_TEST_DATABASE_URL");

  private final Map<String, String> env;
  private final Problems problems;
  private final Set<String> referenced = new HashSet<>();

  private Environment(Map<String, String> env, Problems problems) {
    this.env = env;
    this.problems = problems;
  }

  /** Applies the environment to {@code root} in place; returns the warnings. */
  static List<String> apply(ObjectNode root, Map<String, String> env, Problems problems) {
    Environment e = new Environment(env, problems);
    Map<String, String> overrides = e.overrides(root);
    e.interpolate(root, "", overrides.keySet());
    overrides.forEach((path, value) -> e.set(root, path, value));
    return e.warnings(overrides);
  }

  /** Key path to value, for the {@code RELAY_*} variables that name a key of this file. */
  private Map<String, String> overrides(ObjectNode root) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String path : keyPaths(root)) {
      String value = env.get(variableName(path));
      if (value != null) {
        out.put(path, value);
        problems.setFromEnvironment(path, variableName(path));
      }
    }
    return out;
  }

  private List<String> keyPaths(ObjectNode root) {
    JsonNode endpoints = root.path("endpoints");
    int count = endpoints.isArray() ? endpoints.size() : 0;
    List<String> out = new ArrayList<>();
    for (KeySchema.Leaf leaf : KeySchema.LEAVES) {
      if (leaf.path().contains("[]")) {
        for (int i = 0; i < count; i++) {
          out.add(leaf.path().replace("[]", "[" + i + "]"));
        }
      } else {
        out.add(leaf.path());
      }
    }
    return out;
  }

  private void interpolate(JsonNode node, String path, Set<String> overridden) {
    if (node instanceof ObjectNode o) {
      for (Map.Entry<String, JsonNode> e : new ArrayList<>(o.properties())) {
        String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (e.getValue() instanceof TextNode t) {
          o.set(e.getKey(), overridden.contains(at) ? t : expand(at, t.textValue()));
        } else if (!overridden.contains(at)) {
          interpolate(e.getValue(), at, overridden);
        }
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        String at = path + "[" + i + "]";
        if (a.get(i) instanceof TextNode t) {
          a.set(i, expand(at, t.textValue()));
        } else {
          interpolate(a.get(i), at, overridden);
        }
      }
    }
  }

  private JsonNode expand(String at, String text) {
    if (!text.contains("${")) {
      return TextNode.valueOf(text);
    }
    problems.hideValue(at);
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    boolean ok = true;
    while (m.find()) {
      referenced.add(m.group(1));
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
    return ok ? TextNode.valueOf(out.toString()) : JsonNodeFactory.instance.nullNode();
  }

  private void set(ObjectNode root, String path, String value) {
    boolean list = KeySchema.LEAVES.stream().anyMatch(l -> l.list() && l.path().equals(path.replaceAll("\\[\\d+]", "[]")));
    String[] parts = path.split("\\.");
    ObjectNode at = root;
    for (int i = 0; i < parts.length - 1; i++) {
      at = child(at, parts[i]);
      if (at == null) {
        return;
      }
    }
    String key = parts[parts.length - 1];
    if (list) {
      ArrayNode items = at.putArray(key);
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          items.add(part.strip());
        }
      }
    } else {
      at.put(key, value);
    }
  }

  /** {@code name} or {@code name[i]} of {@code parent}, created as a mapping when absent. */
  private static @Nullable ObjectNode child(ObjectNode parent, String part) {
    int bracket = part.indexOf('[');
    if (bracket < 0) {
      JsonNode existing = parent.get(part);
      return existing instanceof ObjectNode o ? o : existing == null || existing.isNull() ? parent.putObject(part) : null;
    }
    JsonNode list = parent.get(part.substring(0, bracket));
    JsonNode item = list == null ? null : list.get(Integer.parseInt(part.substring(bracket + 1, part.length() - 1)));
    return item instanceof ObjectNode o ? o : null;
  }

  private List<String> warnings(Map<String, String> overrides) {
    Set<String> used = new HashSet<>(OTHER_USES);
    used.addAll(referenced);
    overrides.keySet().forEach(p -> used.add(variableName(p)));
    List<String> known = KeySchema.LEAVES.stream().map(l -> variableName(l.path().replace("[]", "[0]"))).toList();
    List<String> out = new ArrayList<>();
    env.keySet().stream().filter(n -> n.startsWith("RELAY_") && !used.contains(n)).sorted().forEach(n -> out.add(
        "environment variable " + n + " sets no configuration key and is not used in the file; ignored"
            + Suggestions.didYouMean(n, known, "%s")));
    return out;
  }

  /** {@code RELAY_} and the key path in upper case, non-alphanumerics as {@code _}. */
  static String variableName(String keyPath) {
    String s = keyPath.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_").replaceAll("^_+|_+$", "");
    return "RELAY_" + s;
  }
}
