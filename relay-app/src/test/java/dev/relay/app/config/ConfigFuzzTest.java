package dev.relay.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 5: the loader fuzzed with seeded random edits of the example file (values,
 * shapes, YAML syntax, anchors, environment). Any input ends in a configuration or a {@link
 * ConfigException}; never another exception, and no message shows a secret's value.
 */
class ConfigFuzzTest {
  static final long SEED = Long.getLong("fuzz.seed", 12L);
  static final int RUNS = Integer.getInteger("fuzz.runs", 3000);
  static final String MARKER = "Zq7Canary9X";
  static final String SECRET = "whsec_" + MARKER + "A".repeat(21);
  static final List<String> NOISE = List.of(": ", "[", "]", "{", "}", "&a ", "*a", "<<: *a", "\t", "- ", "'", "\"",
      "\n  ", "\n", "~", "!!binary ", "%", "@", "#", ",", "99999999999999999999", "-1", "0", "1e309", "NaN",
      "9999999999d", "PT-5S", "\u202E", "\u0000", "${UNSET}", "${RELAY_DB_PASSWORD}", "yes", "0x1F", "[]", "{}");

  @Test
  void anyInputGivesAConfigurationOrAConfigException() {
    String example = ConfigLoaderTest.readExample();
    Random random = new Random(SEED);
    Map<String, String> env = Map.of("BILLING_WEBHOOK_SECRET", SECRET, "CRM_WEBHOOK_SECRET", SECRET,
        "RELAY_DB_PASSWORD", MARKER + "pw", "RELAY_ADMIN_TOKEN", MARKER + "token0123456789",
        "RELAY_DB_URL", "postgresql://db.example/app?password=" + MARKER);
    for (int i = 0; i < RUNS; i++) {
      String yaml = mutate(example, random);
      String shown;
      try {
        ConfigLoader.parseWithWarnings(yaml, "fuzz.yaml", env);
        shown = "";
      } catch (ConfigException e) {
        shown = e.getMessage();
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("seed " + SEED + " run " + i + " threw " + e + " for:\n" + yaml, e);
      }
      assertThat(shown).as("seed %d run %d:\n%s", SEED, i, yaml).doesNotContain(MARKER).doesNotContain("\tat ");
    }
  }

  static String mutate(String text, Random r) {
    StringBuilder b = new StringBuilder(text);
    int edits = 1 + r.nextInt(4);
    for (int e = 0; e < edits; e++) {
      int at = r.nextInt(b.length());
      switch (r.nextInt(4)) {
        case 0 -> b.insert(at, NOISE.get(r.nextInt(NOISE.size())));
        case 1 -> b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(20)));
        case 2 -> {
          int eol = b.indexOf("\n", at);
          int colon = b.lastIndexOf(": ", eol < 0 ? b.length() : eol);
          if (colon > 0 && eol > colon) {
            b.replace(colon + 2, eol, NOISE.get(r.nextInt(NOISE.size())));
          }
        }
        default -> b.insert(at, (char) r.nextInt(0x3000));
      }
    }
    return b.toString();
  }
}
