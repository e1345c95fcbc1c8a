package dev.relay.loadtest.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;

/**
 * The Postgres a load run uses: an embedded Postgres 17 in a temporary data directory
 * (shared_buffers 512MB, max_connections 200), or an existing server given by URL.
 *
 * <p>Durable (the default): fsync, synchronous_commit and full_page_writes on, as Postgres ships
 * and production runs. The embedded server's own defaults turn all three off, which hides commit
 * costs (measured here: relay.publish() one event per transaction, 4 clients, ~2,000/s with them
 * off, ~400/s with them on).
 *
 * <p>The embedded server keeps its port and data directory across {@link #stop()} / {@link
 * #start()}, so fault-injection runs can take the database away and bring it back under running
 * relays. An external server cannot be stopped from here.
 */
public final class PostgresServer implements AutoCloseable {
  private final PostgresAddress address;
  private final @Nullable Path dataDirectory;
  private final boolean durable;
  private @Nullable EmbeddedPostgres embedded;

  private PostgresServer(PostgresAddress address, @Nullable Path dataDirectory, @Nullable EmbeddedPostgres embedded,
      boolean durable) {
    this.address = address;
    this.dataDirectory = dataDirectory;
    this.embedded = embedded;
    this.durable = durable;
  }

  /** A fresh embedded Postgres on a free port, in a new temporary data directory. */
  public static PostgresServer embedded(boolean durable) throws IOException {
    Path dir = Files.createTempDirectory("relay-load-pg");
    EmbeddedPostgres pg = builder(dir, 0, durable).start();
    return new PostgresServer(new PostgresAddress("127.0.0.1", pg.getPort(), "postgres", "postgres", "postgres"),
        dir, pg, durable);
  }

  /** An existing server; nothing is started or stopped. */
  public static PostgresServer external(String url) {
    return new PostgresServer(PostgresAddress.parse(url), null, null, true);
  }

  private static EmbeddedPostgres.Builder builder(Path dir, int port, boolean durable) {
    String onOff = durable ? "on" : "off";
    return EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("shared_buffers", "512MB")
        .setServerConfig("max_connections", "200")
        .setServerConfig("fsync", onOff)
        .setServerConfig("synchronous_commit", onOff)
        .setServerConfig("full_page_writes", onOff);
  }

  public PostgresAddress address() {
    return address;
  }

  public boolean isEmbedded() {
    return dataDirectory != null;
  }

  public String describe() {
    return isEmbedded() ? "embedded Postgres 17 on port " + address.port() : "Postgres at " + address;
  }

  public Connection connect() throws SQLException {
    return address.connect();
  }

  /** Version and the settings that decide commit cost, e.g. "PostgreSQL 17.6, fsync on, synchronous_commit on". */
  public String settings() throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT split_part(version(), ' on ', 1), current_setting('fsync'), "
            + "current_setting('synchronous_commit'), current_setting('full_page_writes')")) {
      rs.next();
      return rs.getString(1) + ", fsync " + rs.getString(2) + ", synchronous_commit " + rs.getString(3)
          + ", full_page_writes " + rs.getString(4);
    }
  }

  /** Drops a schema and everything in it (the load tool owns the schemas it runs in). */
  public void dropSchema(String schema) throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + Identifiers.checked(schema) + " CASCADE");
    }
  }

  /** Stops the embedded server (a fast shutdown); connections break as in a database outage. */
  public synchronized void stop() throws IOException {
    requireEmbedded();
    if (embedded != null) {
      embedded.close();
      embedded = null;
    }
  }

  /**
   * Stops the embedded server in {@code immediate} mode (SIGQUIT to the postmaster, what {@code
   * pg_ctl stop -m immediate} sends): no checkpoint, every backend gone at once, crash recovery at
   * the next {@link #start()}.
   */
  public synchronized void crash() throws IOException, InterruptedException {
    Path dir = requireEmbedded();
    if (embedded == null) {
      return;
    }
    // The first line of postmaster.pid is the postmaster's pid (the embedded server's own process is pg_ctl's).
    long pid = Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).strip());
    ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new IOException("no postmaster " + pid));
    Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -QUIT " + pid + " failed");
    }
    try {
      postmaster.onExit().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("postmaster " + pid + " did not stop on SIGQUIT", e);
    }
    // Releases the data directory's lock; its pg_ctl stop finds nothing to stop and says so.
    embedded.close();
    embedded = null;
  }

  /** Starts the embedded server again on the same port with the same data. */
  public synchronized void start() throws IOException {
    Path dir = requireEmbedded();
    if (embedded == null) {
      embedded = builder(dir, address.port(), durable).start();
    }
  }

  private Path requireEmbedded() {
    if (dataDirectory == null) {
      throw new IllegalStateException("only the embedded Postgres can be stopped and started by the load tool");
    }
    return dataDirectory;
  }

  @Override
  public synchronized void close() throws IOException {
    if (embedded != null) {
      embedded.close();
      embedded = null;
    }
    if (dataDirectory != null && Files.exists(dataDirectory)) {
      try (Stream<Path> paths = Files.walk(dataDirectory)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
