package dev.relay.loadtest.postgres;

import java.util.regex.Pattern;

/** Schema names go into SQL text; only plain lower-case identifiers are accepted. */
public final class Identifiers {
  private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private Identifiers() {}

  public static String checked(String identifier) {
    if (!PLAIN.matcher(identifier).matches()) {
      throw new IllegalArgumentException("not a plain lower-case SQL identifier: " + identifier);
    }
    return identifier;
  }
}
