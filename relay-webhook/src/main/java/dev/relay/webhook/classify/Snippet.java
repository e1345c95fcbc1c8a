package dev.relay.webhook.classify;

/**
 * Makes receiver-supplied text safe for a reason string shown to operators: control characters
 * (CR, LF, tabs, ANSI escapes) become spaces, whitespace runs collapse, and the result is cut to
 * {@link #MAX_CHARS} characters with an ellipsis.
 */
final class Snippet {

  static final int MAX_CHARS = 200;

  private Snippet() {}

  static String of(String text) {
    return of(text, MAX_CHARS);
  }

  static String of(String text, int max) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 1);
    boolean space = false;
    int i = 0;
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean blank = Character.isWhitespace(c) || Character.isISOControl(c) || c == '\uFFFD';
      if (blank) {
        space = out.length() > 0;
        continue;
      }
      if (out.length() + (space ? 1 : 0) >= max) {
        break;
      }
      if (space) {
        out.append(' ');
        space = false;
      }
      out.append(c);
    }
    if (i < text.length()) {
      out.append('…');
    }
    return out.toString();
  }
}
