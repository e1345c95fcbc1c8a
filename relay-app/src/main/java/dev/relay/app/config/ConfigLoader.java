package dev.relay.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code relay.yaml}: YAML (anchors and aliases resolved) → {@code ${VAR}} expansion and
 * {@code RELAY_<KEY_PATH>} overrides → Jackson binding into the section records → Hibernate
 * Validator bounds → the modules' records with defaults. Every problem of every stage is reported
 * together, each with its key path, never with a value of a secret-bearing key.
 */
public final class ConfigLoader {
  /** Largest configuration file read. */
  static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

  private ConfigLoader() {}

  public static RelayConfig load(Path file, Map<String, String> env) {
    return read(file, env).config();
  }

  public static RelayConfig parse(String yaml, String source, Map<String, String> env) {
    return parseWithWarnings(yaml, source, env).config();
  }

  /** The configuration and what the environment did that looks like a mistake. */
  public static LoadedConfig read(Path file, Map<String, String> env) {
    String text;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new ConfigException(file.toString(), List.of(new ConfigProblem("", "file is over 4 MiB")));
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file.toString(), List.of(new ConfigProblem("", "file not found: " + file.toAbsolutePath())));
    } catch (IOException e) {
      throw new ConfigException(file.toString(), List.of(new ConfigProblem("", "cannot read the file ("
          + e.getClass().getSimpleName() + ")")));
    }
    return parseWithWarnings(text, file.toString(), env);
  }

  public static LoadedConfig parseWithWarnings(String yaml, String source, Map<String, String> env) {
    Problems problems = new Problems();
    JsonNode root = YamlTree.parse(yaml, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems.asList());
    }
    if (root != null && !root.isObject()) {
      throw new ConfigException(source, List.of(new ConfigProblem("", "must be a mapping of keys to values")));
    }
    ObjectNode tree = root == null ? JsonNodeFactory.instance.objectNode() : (ObjectNode) root;
    List<String> warnings = Environment.apply(tree, env, problems);
    RelayFile file = Binder.bind(tree, problems);
    if (file != null) {
      Violations.check(file, problems);
    }
    RelayConfig config = file == null ? null : Assembly.assemble(file, problems);
    if (config == null || !problems.isEmpty()) {
      throw new ConfigException(source, problems.asList());
    }
    return new LoadedConfig(config, warnings);
  }

  /** The key path's environment variable name, e.g. {@code RELAY_DELIVERY_RETRY_MAX_ATTEMPTS}. */
  public static String environmentVariable(String keyPath) {
    return Environment.variableName(keyPath);
  }
}
