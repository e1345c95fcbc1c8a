package dev.relay.engine.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The query parameters of {@code database.url}: libpq's TLS parameters are understood, anything
 * else is an error rather than silently dropped. Messages never quote a value.
 */
public record UrlParameters(
    @Nullable SslMode sslMode, @Nullable String sslRootCert, @Nullable String sslCert, @Nullable String sslKey) {

  public static final UrlParameters NONE = new UrlParameters(null, null, null, null);

  /** @param rawQuery the URL's query, undecoded, or null */
  public static UrlParameters parse(@Nullable String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return NONE;
    }
    Map<String, String> values = new HashMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      check(name);
      if (values.put(name, value) != null) {
        throw new IllegalArgumentException("database.url gives the parameter " + name + " twice");
      }
    }
    String mode = values.get("sslmode");
    return new UrlParameters(mode == null ? null : SslMode.parse("database.url parameter sslmode", mode),
        values.get("sslrootcert"), values.get("sslcert"), values.get("sslkey"));
  }

  private static void check(String name) {
    switch (name) {
      case "sslmode", "sslrootcert", "sslcert", "sslkey" -> { }
      case "user", "password", "sslpassword", "passfile" -> throw new IllegalArgumentException(
          "database.url must not contain credentials; use database.user and database.password");
      default -> throw new IllegalArgumentException("database.url has an unknown parameter"
          + (name.matches("[A-Za-z_]{1,40}") ? " '" + name + "'" : "")
          + " (understood: sslmode, sslrootcert, sslcert, sslkey; everything else is a database.* key)");
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("database.url has a badly escaped parameter", null);
    }
  }
}
