package dev.relay.loadtest.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The words of a command line: the scenario (first word not starting with --), optionally one
 * operand after it (what the scenario should run, e.g. {@code reliability kill9}), {@code --name
 * value} or {@code --name=value} pairs (the last one wins; {@code relay-set} collects every one),
 * and {@code --help}/{@code -h}.
 *
 * @param scenario null if none was given
 * @param operand the word after the scenario, null if none was given
 */
public record Arguments(@Nullable String scenario, @Nullable String operand, Map<String, String> values,
    List<String> relaySets, boolean help) {
  public static Arguments parse(String... args) {
    String scenario = null;
    String operand = null;
    Map<String, String> values = new LinkedHashMap<>();
    List<String> sets = new ArrayList<>();
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        help = true;
        continue;
      }
      if (!a.startsWith("--")) {
        if (scenario == null) {
          scenario = a;
        } else if (operand == null) {
          operand = a;
        } else {
          throw new UsageException("unexpected argument '" + a + "' (the scenario is " + scenario + " " + operand + ")");
        }
        continue;
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UsageException("--" + name + " needs a value");
      }
      if (OptionCatalog.find(name).isEmpty()) {
        throw new UsageException("unknown option --" + name + " (see --help)");
      }
      if (name.equals("relay-set")) {
        sets.add(value);
      } else {
        values.put(name, value);
      }
    }
    return new Arguments(scenario, operand, values, sets, help);
  }
}
