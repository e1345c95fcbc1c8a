package dev.relay.app.logging;

import java.util.regex.Pattern;

/**
 * Removes what logs must never show: signing secrets, signatures, bearer tokens and other
 * credentials, and URL user-info. Applied to every formatted message and stack trace, so a
 * careless log statement or an exception message that quotes a header cannot leak them.
 */
public final class Redactor {
  private static final Pattern SECRET = Pattern.compile("whsec_[A-Za-z0-9+/=_-]+");
  private static final Pattern SIGNATURE = Pattern.compile("\\bv1[,=][A-Za-z0-9+/=_-]{16,}");
  private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]+");
  /** Up to the last {@code @} of the URL: a password may itself contain {@code /} or {@code @}. */
  private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^\\s\"'<>]*@");
  private static final Pattern KEY_VALUE = Pattern.compile(
      "(?i)\\b(password|passwd|sslpassword|secret|secrets|token|api[-_]?key|authorization|webhook-signature)"
          + "(\"?\\s*[:=]\\s*\"?)([^\\s\"',;&}\\]]+)");

  private Redactor() {}

  public static String redact(String text) {
    if (text.isEmpty()) {
      return text;
    }
    String s = SECRET.matcher(text).replaceAll("whsec_***");
    s = SIGNATURE.matcher(s).replaceAll("v1,***");
    s = BEARER.matcher(s).replaceAll("$1 ***");
    s = USER_INFO.matcher(s).replaceAll("$1***@");
    s = KEY_VALUE.matcher(s).replaceAll("$1$2***");
    return s;
  }
}
