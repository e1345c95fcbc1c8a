package dev.relay.app.config;

import java.util.regex.Pattern;

/** Redacts what configuration {@code toString()}s must never print. */
final class Redaction {
  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/@\\s]*@");

  private Redaction() {}

  static String url(String url) {
    return USER_INFO.matcher(url).replaceFirst("***@");
  }
}
