package dev.relay.engine.config;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where the relay's schema lives. The URL is a Postgres URL in any of the usual spellings:
 * {@code r2dbc:postgresql://host:5432/db}, {@code postgresql://host/db} or {@code
 * jdbc:postgresql://host/db}; credentials come from {@code user}/{@code password} (never put them
 * in the URL, which is logged).
 *
 * @param url Postgres URL
 * @param user database user
 * @param password database password, may be null for trust/peer auth
 * @param schema schema holding relay's tables (default {@code relay})
 * @param poolSize R2DBC pool size for claim + settle + admin work (default 10); the LISTEN
 *     connection is extra
 * @param connectTimeout connection establishment timeout (default 10 s)
 */
public record DatabaseConfig(
    String url,
    String user,
    @Nullable String password,
    String schema,
    int poolSize,
    Duration connectTimeout) {

  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  public DatabaseConfig {
    Checks.notBlank("database.url", url);
    Checks.notBlank("database.user", user);
    Checks.positive("database.pool-size", poolSize);
    Checks.positive("database.connect-timeout", connectTimeout);
    if (schema == null || !SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "database.schema must be a lower-case SQL identifier (letters, digits, _), was " + schema);
    }
    URI uri = parse(url);
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("database.url has no host: " + redacted(url));
    }
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException(
          "database.url must not contain credentials; use database.user and database.password");
    }
  }

  public DatabaseConfig(String url, String user, @Nullable String password) {
    this(url, user, password, "relay", 10, Duration.ofSeconds(10));
  }

  public DatabaseConfig withSchema(String newSchema) {
    return new DatabaseConfig(url, user, password, newSchema, poolSize, connectTimeout);
  }

  public String host() {
    return parse(url).getHost();
  }

  public int port() {
    int port = parse(url).getPort();
    return port < 0 ? 5432 : port;
  }

  public String database() {
    String path = parse(url).getPath();
    return path == null || path.length() <= 1 ? user : path.substring(1);
  }

  /** The same location as a JDBC URL, for Flyway. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database();
  }

  private static URI parse(String url) {
    String s = url.trim();
    for (String prefix : new String[] {"jdbc:", "r2dbc:"}) {
      if (s.startsWith(prefix)) {
        s = s.substring(prefix.length());
      }
    }
    if (s.startsWith("postgres://")) {
      s = "postgresql://" + s.substring("postgres://".length());
    }
    if (!s.startsWith("postgresql://")) {
      throw new IllegalArgumentException(
          "database.url must look like r2dbc:postgresql://host:5432/db, was " + redacted(url));
    }
    try {
      return URI.create(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("database.url is not a valid URL: " + redacted(url), e);
    }
  }

  private static String redacted(String url) {
    return url.replaceAll("//[^/@]*@", "//***@");
  }

  @Override
  public String toString() {
    return "DatabaseConfig[url=" + redacted(url) + ", user=" + user + ", schema=" + schema
        + ", poolSize=" + poolSize + "]";
  }
}
