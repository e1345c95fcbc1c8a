package dev.relay.loadtest.postgres;

import dev.relay.engine.config.DatabaseConfig;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Where a Postgres listens and who to log in as. Parsed from {@code postgresql://user:pass@host:port/db}
 * (also {@code postgres://}, {@code jdbc:postgresql://}); the password is never shown by {@link #toString()}.
 */
public record PostgresAddress(String host, int port, String database, String user, String password) {

  public static PostgresAddress parse(String url) {
    String s = url.trim().replaceFirst("^jdbc:", "").replaceFirst("^postgres://", "postgresql://");
    if (!s.startsWith("postgresql://")) {
      throw new IllegalArgumentException("--database-url must look like postgresql://user:password@host:5432/db");
    }
    URI uri = URI.create(s);
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("--database-url has no host");
    }
    String info = uri.getUserInfo() == null ? "postgres" : uri.getUserInfo();
    String[] userPassword = info.split(":", 2);
    String path = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
    return new PostgresAddress(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), path, userPassword[0],
        userPassword.length > 1 ? userPassword[1] : "");
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** The form relay.yaml takes (credentials go in user/password, never the URL). */
  public String r2dbcUrl() {
    return "r2dbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user, password);
  }

  /** The engine's view of this server, for migrations and the ceiling's statements. */
  public DatabaseConfig databaseConfig(String schema, int poolSize) {
    return new DatabaseConfig(r2dbcUrl(), user, password.isEmpty() ? null : password, schema, poolSize,
        Duration.ofSeconds(10));
  }

  @Override
  public String toString() {
    return user + "@" + host + ":" + port + "/" + database;
  }
}
