package dev.relay.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.StringReader;
import java.util.IdentityHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Parses relay.yaml into a tree of mappings, lists and text (never numbers or booleans: the binder
 * converts text, so {@code 0x1F} or {@code yes} mean what they say or are refused). Anchors,
 * aliases and {@code <<} merge keys are resolved, within limits against alias bombs and cycles.
 * Syntax errors give the line, column and problem, never the text of the line (it may be a
 * password).
 */
final class YamlTree {
  private static final int MAX_ALIASES = 100;
  private static final int MAX_NODES = 100_000;
  private static final int MAX_DEPTH = 40;
  private static final int MAX_CODE_POINTS = 4 * 1024 * 1024;

  private final Problems problems;
  private final Map<Node, Boolean> open = new IdentityHashMap<>();
  private int nodes;

  private YamlTree(Problems problems) {
    this.problems = problems;
  }

  /** The document's root, or null when it is empty or unusable (a problem is recorded then). */
  static @Nullable JsonNode parse(String text, Problems problems) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setMergeOnCompose(true);
    try {
      Node root = new Yaml(options).compose(new StringReader(text));
      return root == null ? null : new YamlTree(problems).convert(root, "", 0);
    } catch (MarkedYAMLException e) {
      problems.add("", describe(e));
    } catch (YAMLException e) {
      problems.add("", "not valid YAML: " + clean(String.valueOf(e.getMessage())));
    }
    return null;
  }

  private @Nullable JsonNode convert(Node node, String path, int depth) {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) {
      throw new YAMLException("the document is too large or too deeply nested once aliases are expanded");
    }
    if (open.put(node, Boolean.TRUE) != null) {
      problems.add(path, "refers to itself through an alias");
      return null;
    }
    try {
      if (node instanceof ScalarNode s) {
        return s.getTag().equals(Tag.NULL) ? NullNode.getInstance() : TextNode.valueOf(s.getValue());
      }
      if (node instanceof SequenceNode seq) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (Node item : seq.getValue()) {
          out.add(convert(item, path + "[" + out.size() + "]", depth + 1));
        }
        return out;
      }
      MappingNode map = (MappingNode) node;
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (NodeTuple t : map.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode key)) {
          problems.add(path, "keys must be plain names, not lists or mappings (line " + line(t.getKeyNode()) + ")");
          continue;
        }
        String name = key.getValue();
        if (out.has(name)) {
          problems.add(path.isEmpty() ? name : path + "." + name, "is given twice (again on line " + line(key) + ")");
          continue;
        }
        out.set(name, convert(t.getValueNode(), path.isEmpty() ? name : path + "." + name, depth + 1));
      }
      return out;
    } finally {
      open.remove(node);
    }
  }

  private static int line(Node node) {
    Mark start = node.getStartMark();
    return start == null ? 0 : start.getLine() + 1;
  }

  private static String describe(MarkedYAMLException e) {
    Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    String where = mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
    String what = e.getProblem() != null ? e.getProblem() : String.valueOf(e.getContext());
    return "not valid YAML: " + where + clean(what);
  }

  /** SnakeYAML quotes bits of the document; keep single characters (they explain), drop the rest. */
  private static String clean(String message) {
    String firstLine = message.lines().findFirst().orElse("").strip();
    return firstLine.replaceAll("'[^']{2,}'", "'…'").replaceAll("\"[^\"]*\"", "\"…\"")
        .replaceAll("(alias|anchor)\\s+\\S+", "$1 (name not shown)");
  }
}
