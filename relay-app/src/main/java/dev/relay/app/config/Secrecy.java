package dev.relay.app.config;

/**
 * Which keys hold values that no message may print: everything under {@code database} (URL
 * user-info and parameters, password, user), request {@code headers}, signing {@code secrets},
 * the runtime endpoints' {@code encryption-keys} and the admin {@code token}. Also makes the values that may be printed safe to print.
 */
final class Secrecy {
  private static final int MAX_SHOWN = 60;

  private Secrecy() {}

  static boolean isSecret(String path) {
    return path.equals("database") || path.startsWith("database.") || path.contains(".headers")
        || path.contains(".secrets") || path.contains("encryption-keys") || path.endsWith("token") || path.contains(".url");
  }

  /** At most 60 characters; control, format (bidi) and other invisible characters as {@code ?}. */
  static String printable(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_SHOWN + 1));
    value.codePoints().limit(MAX_SHOWN).forEach(c -> out.appendCodePoint(invisible(c) ? '?' : c));
    if (value.codePointCount(0, value.length()) > MAX_SHOWN) {
      out.append('…');
    }
    return out.toString();
  }

  static boolean invisible(int c) {
    int type = Character.getType(c);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED || type == Character.PRIVATE_USE
        || type == Character.SURROGATE;
  }
}
