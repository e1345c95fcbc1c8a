package dev.relay.webhook.ssrf;

/** Keeps host names quoted in refusal reasons short and printable. */
final class Reasons {

  private static final int MAX = 100;

  private Reasons() {}

  static String clip(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX + 1));
    for (int i = 0; i < text.length() && out.length() < MAX; i++) {
      char c = text.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    if (text.length() > MAX) {
      out.append('…');
    }
    return out.toString();
  }
}
