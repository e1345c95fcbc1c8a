package dev.relay.app.http;

/**
 * Text an operator sends the admin API: bounded, one line, nothing invisible. Control characters
 * (NUL included), bidi and other format characters (U+202E), line separators, unassigned code
 * points and lone surrogates are refused, so nothing stored can rewrite a log line or a terminal.
 */
public final class Text {
  private Text() {}

  /** @throws BadRequest naming {@code field} when {@code value} is too long or not plain text */
  public static String check(String field, String value, int maxChars) {
    if (value.length() > maxChars) {
      throw new BadRequest(field + " must be at most " + maxChars + " characters, was " + value.length());
    }
    for (int i = 0; i < value.length(); ) {
      int c = value.codePointAt(i);
      if (!visible(c)) {
        throw new BadRequest(field + " must not contain control, format (bidi) or invisible characters "
            + "(found U+" + String.format("%04X", c) + " at position " + i + ")");
      }
      i += Character.charCount(c);
    }
    return value;
  }

  static boolean visible(int c) {
    int type = Character.getType(c);
    return type != Character.CONTROL && type != Character.FORMAT && type != Character.LINE_SEPARATOR
        && type != Character.PARAGRAPH_SEPARATOR && type != Character.UNASSIGNED && type != Character.PRIVATE_USE
        && type != Character.SURROGATE;
  }
}
