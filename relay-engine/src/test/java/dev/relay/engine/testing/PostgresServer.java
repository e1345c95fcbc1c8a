package dev.relay.engine.testing;

import dev.relay.engine.config.DatabaseConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * One real Postgres per test JVM, found in this order:
 *
 * <ol>
 *   <li>{@code RELAY_TEST_DATABASE_URL} when set (an explicit choice wins), e.g. {@code
 *       postgresql://postgres:secret@localhost:5432/postgres};
 *   <li>Testcontainers ({@code postgres:17}) when a Docker engine is reachable;
 *   <li>embedded Postgres 17 from Maven Central (io.zonky.test), which needs nothing installed.
 * </ol>
 *
 * Never a mock or an in-memory imitation: the engine's correctness is Postgres semantics.
 */
public final class PostgresServer {
  private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
  private static volatile PostgresServer instance;

  private final String host;
  private final int port;
  private final String database;
  private final String user;
  private final String password;
  private final String kind;

  private PostgresServer(String host, int port, String database, String user, String password, String kind) {
    this.host = host;
    this.port = port;
    this.database = database;
    this.user = user;
    this.password = password;
    this.kind = kind;
  }

  public static PostgresServer get() {
    PostgresServer server = instance;
    if (server == null) {
      synchronized (PostgresServer.class) {
        server = instance;
        if (server == null) {
          server = start();
          instance = server;
          log.info("Test Postgres: {} at {}:{}/{}", server.kind, server.host, server.port, server.database);
        }
      }
    }
    return server;
  }

  private static PostgresServer start() {
    String url = System.getenv("RELAY_TEST_DATABASE_URL");
    if (url != null && !url.isBlank()) {
      return fromUrl(url);
    }
    if (dockerAvailable()) {
      PostgreSQLContainer container =
          new PostgreSQLContainer("postgres:17-alpine")
              .withCommand("postgres", "-c", "max_connections=400", "-c", "fsync=off");
      container.start();
      return new PostgresServer(container.getHost(), container.getMappedPort(5432),
          container.getDatabaseName(), container.getUsername(), container.getPassword(), "testcontainers");
    }
    try {
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setServerConfig("max_connections", "400")
              .setServerConfig("fsync", "off")
              .setServerConfig("synchronous_commit", "off")
              .setServerConfig("full_page_writes", "off")
              .setServerConfig("shared_buffers", "256MB")
              .start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (IOException e) {
          // the JVM is exiting; the data directory is temporary
        }
      }));
      return new PostgresServer("localhost", pg.getPort(), "postgres", "postgres", "postgres", "embedded");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "No test Postgres: set RELAY_TEST_DATABASE_URL, start Docker, or let embedded Postgres run", e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static PostgresServer fromUrl(String url) {
    URI uri = URI.create(url.replaceFirst("^(jdbc:|r2dbc:)", "").replaceFirst("^postgres://", "postgresql://"));
    String userInfo = uri.getUserInfo() == null ? "postgres" : uri.getUserInfo();
    String[] parts = userInfo.split(":", 2);
    String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
    return new PostgresServer(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), db, parts[0],
        parts.length > 1 ? parts[1] : "", "RELAY_TEST_DATABASE_URL");
  }

  /** A database config for {@code schema} on this server. */
  public DatabaseConfig config(String schema, int poolSize) {
    return new DatabaseConfig(
        "r2dbc:postgresql://" + host + ":" + port + "/" + database, user, password, schema, poolSize,
        java.time.Duration.ofSeconds(10));
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String database() {
    return database;
  }
}
