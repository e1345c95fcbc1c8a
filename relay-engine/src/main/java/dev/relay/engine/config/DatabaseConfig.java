package dev.relay.engine.config;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where the relay's schema lives and how to reach it. The URL is a Postgres URL in any of the usual
 * spellings: {@code r2dbc:postgresql://host:5432/db}, {@code postgresql://host/db} or {@code
 * jdbc:postgresql://host/db}, optionally with libpq's TLS parameters ({@code ?sslmode=verify-full
 * &sslrootcert=/etc/ssl/db-ca.pem}); any other parameter is refused. Credentials come from {@code
 * user}/{@code password}, never from the URL. No message of this class quotes the URL.
 *
 * @param url Postgres URL
 * @param user database user
 * @param password database password, may be null for trust/peer auth
 * @param schema schema holding relay's tables (default {@code relay})
 * @param poolSize R2DBC pool size for claim + settle + admin work (default 10); the LISTEN
 *     connection is extra
 * @param connectTimeout connection establishment timeout (default 10 s)
 * @param tls TLS for every connection; must agree with the URL's parameters
 * @param statementTimeout longest one relay statement may take (default 10 s): past it the relay
 *     stops waiting, drops the connection (a frozen one would hang forever) and retries, and
 *     Postgres cancels the statement (statement_timeout of the relay's sessions)
 */
public record DatabaseConfig(
    String url,
    String user,
    @Nullable String password,
    String schema,
    int poolSize,
    Duration connectTimeout,
    DatabaseTls tls,
    Duration statementTimeout) {

  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  public DatabaseConfig {
    Checks.notBlank("database.url", url);
    Checks.notBlank("database.user", user);
    Checks.positive("database.pool-size", poolSize);
    Checks.positive("database.connect-timeout", connectTimeout);
    Checks.positive("database.statement-timeout", statementTimeout);
    if (schema == null || !SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "database.schema must be a lower-case SQL identifier (letters, digits, _), was " + schema);
    }
    URI uri = parse(url);
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("database.url has no host (credentials in the URL? "
          + "use database.user and database.password)");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "database.url must not contain credentials; use database.user and database.password");
    }
    UrlParameters fromUrl = UrlParameters.parse(uri.getRawQuery());
    tls = DatabaseTls.combine(tls.mode(), tls.rootCert(), tls.cert(), tls.key(), fromUrl);
  }

  public DatabaseConfig(String url, String user, @Nullable String password, String schema, int poolSize,
      Duration connectTimeout, DatabaseTls tls) {
    this(url, user, password, schema, poolSize, connectTimeout, tls, DEFAULT_STATEMENT_TIMEOUT);
  }

  /** TLS as the URL's parameters say ({@code disable} without them). */
  public DatabaseConfig(String url, String user, @Nullable String password, String schema, int poolSize,
      Duration connectTimeout) {
    this(url, user, password, schema, poolSize, connectTimeout, fromUrl(url));
  }

  /**
   * A configuration from {@code database.*} keys: TLS values left null come from the URL's
   * parameters, else the defaults.
   */
  public static DatabaseConfig of(String url, String user, @Nullable String password, String schema, int poolSize,
      Duration connectTimeout, @Nullable SslMode sslMode, @Nullable String sslRootCert, @Nullable String sslCert,
      @Nullable String sslKey) {
    UrlParameters p = UrlParameters.parse(parse(url).getRawQuery());
    return new DatabaseConfig(url, user, password, schema, poolSize, connectTimeout,
        DatabaseTls.combine(sslMode, sslRootCert, sslCert, sslKey, p));
  }

  public DatabaseConfig(String url, String user, @Nullable String password) {
    this(url, user, password, "relay", 10, Duration.ofSeconds(10));
  }

  public DatabaseConfig withSchema(String newSchema) {
    return new DatabaseConfig(url, user, password, newSchema, poolSize, connectTimeout, tls, statementTimeout);
  }

  public DatabaseConfig withTls(DatabaseTls newTls) {
    return new DatabaseConfig(url, user, password, schema, poolSize, connectTimeout, newTls, statementTimeout);
  }

  public DatabaseConfig withStatementTimeout(Duration timeout) {
    return new DatabaseConfig(url, user, password, schema, poolSize, connectTimeout, tls, timeout);
  }

  /** The same location reached through another host and port (tests: a fault-injecting proxy). */
  public DatabaseConfig via(String host, int port) {
    return new DatabaseConfig("postgresql://" + host + ":" + port + "/" + database(), user, password, schema,
        poolSize, connectTimeout, tls, statementTimeout);
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

  /** The same location as a JDBC URL, without parameters (TLS is set on the data source). */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database();
  }

  private static DatabaseTls fromUrl(String url) {
    UrlParameters p = UrlParameters.parse(parse(url).getRawQuery());
    return DatabaseTls.combine(null, null, null, null, p);
  }

  private static URI parse(String url) {
    String s = url == null ? "" : url.trim();
    for (String prefix : new String[] {"jdbc:", "r2dbc:"}) {
      if (s.startsWith(prefix)) {
        s = s.substring(prefix.length());
      }
    }
    if (s.startsWith("postgres://")) {
      s = "postgresql://" + s.substring("postgres://".length());
    }
    if (!s.startsWith("postgresql://")) {
      throw new IllegalArgumentException("database.url must look like r2dbc:postgresql://host:5432/db");
    }
    try {
      return new URI(s);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("database.url is not a valid URL (" + e.getReason() + ")", null);
    }
  }

  @Override
  public String toString() {
    return "DatabaseConfig[host=" + host() + ", schema=" + schema + ", poolSize=" + poolSize + ", sslMode="
        + tls.mode().text() + "]";
  }
}
