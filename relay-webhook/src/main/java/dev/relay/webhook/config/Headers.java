package dev.relay.webhook.config;

import java.util.Locale;
import java.util.Set;

/** Which custom request headers an endpoint may set, and how their names and values look. */
final class Headers {

  /**
   * Set by the deliverer (signature, framing, routing, hop-by-hop), so configuration may not
   * override them. Any {@code webhook-} header is reserved for the Standard Webhooks scheme.
   */
  static final Set<String> RESERVED =
      Set.of(
          "host",
          "content-length",
          "content-type",
          "transfer-encoding",
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "upgrade",
          "expect");

  private Headers() {}

  static boolean isReserved(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return RESERVED.contains(lower) || lower.startsWith("webhook-");
  }

  /** RFC 9110 token characters. */
  static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** CR, LF, NUL or another control character other than horizontal tab. */
  static boolean hasControlCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
