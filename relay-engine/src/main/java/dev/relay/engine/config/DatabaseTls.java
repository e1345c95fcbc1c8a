package dev.relay.engine.config;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * TLS settings for every connection the relay opens (pool, LISTEN, migrations). Set with the
 * {@code database.ssl-*} keys or the URL's libpq parameters ({@code sslmode}, {@code sslrootcert},
 * {@code sslcert}, {@code sslkey}); giving both with different values is an error.
 *
 * @param mode {@code database.ssl-mode} (default {@code disable}: the R2DBC driver builds its TLS
 *     context on the event loop for every connection, so TLS is asked for, not assumed)
 * @param rootCert PEM file of the certificate authority that signed the server's certificate;
 *     required for {@code verify-ca} and {@code verify-full}
 * @param cert PEM client certificate, for servers that authenticate clients by certificate
 * @param key the client certificate's private key, PEM (PKCS#8, unencrypted)
 */
public record DatabaseTls(SslMode mode, @Nullable String rootCert, @Nullable String cert, @Nullable String key) {

  public static final DatabaseTls DEFAULT = new DatabaseTls(SslMode.DISABLE, null, null, null);

  public DatabaseTls {
    Objects.requireNonNull(mode, "database.ssl-mode");
    if (mode.verifies() && rootCert == null) {
      throw new IllegalArgumentException("database.ssl-root-cert is required with ssl-mode " + mode.text()
          + ": the certificate authority the server's certificate must chain to");
    }
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("database.ssl-cert and database.ssl-key go together: set both or neither");
    }
    if (mode == SslMode.DISABLE && (rootCert != null || cert != null)) {
      throw new IllegalArgumentException("database.ssl-mode is disable but certificates are configured; "
          + "set ssl-mode to verify-full (or remove them)");
    }
  }

  /**
   * Combines settings from keys and from the URL; each may leave a value unset (null).
   *
   * @throws IllegalArgumentException when both set one value differently
   */
  public static DatabaseTls combine(@Nullable SslMode mode, @Nullable String rootCert, @Nullable String cert,
      @Nullable String key, UrlParameters url) {
    return new DatabaseTls(
        one("ssl-mode", "sslmode", mode, url.sslMode(), SslMode.DISABLE),
        one("ssl-root-cert", "sslrootcert", rootCert, url.sslRootCert(), null),
        one("ssl-cert", "sslcert", cert, url.sslCert(), null),
        one("ssl-key", "sslkey", key, url.sslKey(), null));
  }

  private static <T> T one(String key, String parameter, @Nullable T fromKey, @Nullable T fromUrl, T fallback) {
    if (fromKey != null && fromUrl != null && !fromKey.equals(fromUrl)) {
      throw new IllegalArgumentException("database." + key + " and the URL's " + parameter + " disagree; set one");
    }
    return fromKey != null ? fromKey : fromUrl != null ? fromUrl : fallback;
  }
}
