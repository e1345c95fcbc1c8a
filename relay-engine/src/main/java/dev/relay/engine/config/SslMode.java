package dev.relay.engine.config;

import java.util.Locale;

/**
 * TLS to Postgres, as libpq's {@code sslmode}: {@code disable} (plain), {@code allow} and {@code
 * prefer} (TLS when the server offers it, unverified), {@code require} (TLS, unverified), {@code
 * verify-ca} (TLS, the server's certificate chains to the root certificate) and {@code
 * verify-full} (and its name matches the host).
 */
public enum SslMode {
  DISABLE,
  ALLOW,
  PREFER,
  REQUIRE,
  VERIFY_CA,
  VERIFY_FULL;

  /** The libpq spelling, e.g. {@code verify-full}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Whether the server's certificate is checked against the root certificate. */
  public boolean verifies() {
    return this == VERIFY_CA || this == VERIFY_FULL;
  }

  /** @throws IllegalArgumentException naming {@code key} for anything but the six libpq modes */
  public static SslMode parse(String key, String text) {
    for (SslMode m : values()) {
      if (m.text().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new IllegalArgumentException(key + " must be disable, allow, prefer, require, verify-ca or verify-full");
  }
}
