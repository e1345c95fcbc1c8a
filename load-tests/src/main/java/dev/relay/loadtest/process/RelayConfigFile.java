package dev.relay.loadtest.process;

import dev.relay.app.config.ConfigLoader;
import dev.relay.app.config.RelayConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A generated {@code relay.yaml}: the database, the endpoints (plain http to the local receiver,
 * which the SSRF guard must be told to allow), the admin port and token. Nothing else: every
 * other key keeps its default. Overrides travel as the relay's documented {@code RELAY_<KEY_PATH>}
 * environment variables, so the file itself stays the defaults.
 */
public final class RelayConfigFile {
  private RelayConfigFile() {}

  public static String yaml(RelaySpec spec, int adminPort) {
    StringBuilder y = new StringBuilder();
    y.append("database:\n")
        .append("  url: ").append(spec.database().r2dbcUrl()).append('\n')
        .append("  user: ").append(quoted(spec.database().user())).append('\n')
        .append("  password: ").append(quoted(spec.database().password())).append('\n')
        .append("  schema: ").append(spec.schema()).append('\n')
        .append("endpoints:\n");
    for (String name : spec.endpoints()) {
      y.append("  - name: ").append(name).append('\n')
          .append("    url: ").append(spec.urlOf().apply(name)).append('\n')
          .append("    secrets: [").append(quoted(spec.secret())).append("]\n")
          .append("    allow-http: true\n")
          .append("    allowed-networks: [127.0.0.0/8]\n");
    }
    y.append("admin:\n")
        .append("  bind: 127.0.0.1\n")
        .append("  port: ").append(adminPort).append('\n')
        .append("  token: ").append(quoted(spec.adminToken())).append('\n');
    return y.toString();
  }

  /** The overrides as environment variables: RELAY_ + key path upper-cased, '.', '-', '[i]' as '_'. */
  public static Map<String, String> environment(Map<String, String> overrides) {
    Map<String, String> env = new LinkedHashMap<>();
    overrides.forEach((key, value) -> env.put(envName(key), value));
    return env;
  }

  static String envName(String key) {
    return "RELAY_" + key.replace("[", "_").replace("]", "").replace('.', '_').replace('-', '_')
        .toUpperCase(Locale.ROOT);
  }

  /**
   * Parses the file with the relay's own loader and the same overrides, as the relay will: a bad
   * override fails here, naming its key, and the result tells the effective delivery settings.
   */
  public static RelayConfig effective(RelaySpec spec) {
    return ConfigLoader.parse(yaml(spec, 0), "generated relay.yaml", environment(spec.overrides()));
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
