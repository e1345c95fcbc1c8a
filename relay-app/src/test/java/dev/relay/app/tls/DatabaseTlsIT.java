package dev.relay.app.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.app.RelayProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 2 ("no TLS to the database"): a Postgres with {@code ssl = on} and a
 * certificate authority made in the test; the packaged relay, as users run it.
 */
class DatabaseTlsIT {
  @TempDir static Path dir;
  static TestCertificates certs;
  static EmbeddedPostgres pg;

  @BeforeAll
  static void startPostgresWithTls() throws Exception {
    certs = TestCertificates.create(dir);
    pg = EmbeddedPostgres.builder()
        .setServerConfig("ssl", "on")
        .setServerConfig("ssl_cert_file", certs.serverCert().toString())
        .setServerConfig("ssl_key_file", certs.serverKey().toString())
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void verifyFullConnectsAndEveryRelayConnectionUsesTls() throws Exception {
    Path config = config("localhost", "verify-full", certs.caCert(), "tls");
    try (RelayProcess relay = RelayProcess.start(dir.resolve("ok.log"), Map.of(), "run", "--config", config.toString())) {
      started(relay);
      // The pool's connections and the LISTEN connection: all of them encrypted. (The LISTEN
      // connection may still be connecting when "Relay started" is logged.)
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        List<Boolean> ssl = relayConnectionsSsl();
        assertThat(ssl).hasSizeGreaterThanOrEqualTo(2).containsOnly(true);
        assertThat(listenersSsl()).as("the LISTEN connection").containsExactly(true);
      });
      assertThat(relay.terminate(Duration.ofSeconds(30))).as(relay.output()).isZero();
    }
  }

  @Test
  void aWrongCertificateAuthorityFailsAtStartWithOneClearLine() throws Exception {
    String out = failedStart(config("localhost", "verify-full", certs.otherCaCert(), "wrongca"), "wrongca.log");
    assertThat(out).contains("relay: cannot connect to the database: TLS: the server's certificate is not signed by "
        + "the certificate authority in database.ssl-root-cert (ssl-mode verify-full)");
  }

  @Test
  void aHostNameTheCertificateDoesNotNameFailsAtStartWithOneClearLine() throws Exception {
    String out = failedStart(config("127.0.0.1", "verify-full", certs.caCert(), "wronghost"), "wronghost.log");
    assertThat(out).contains("relay: cannot connect to the database: TLS: the server's certificate does not name "
        + "the host in database.url (ssl-mode verify-full)");
  }

  @Test
  void verifyCaAcceptsTheAuthorityWhateverTheHostName() throws Exception {
    Path config = config("127.0.0.1", "verify-ca", certs.caCert(), "verifyca");
    try (RelayProcess relay = RelayProcess.start(dir.resolve("ca.log"), Map.of(), "run", "--config", config.toString())) {
      started(relay);
      assertThat(relay.terminate(Duration.ofSeconds(30))).as(relay.output()).isZero();
    }
  }

  private static void started(RelayProcess relay) {
    await().atMost(Duration.ofSeconds(60))
        .until(() -> relay.output().contains("Relay started") || !relay.process().isAlive());
    assertThat(relay.output()).contains("Relay started");
  }

  private static String failedStart(Path config, String log) throws Exception {
    try (RelayProcess relay = RelayProcess.start(dir.resolve(log), Map.of(), "run", "--config", config.toString())) {
      assertThat(relay.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      String out = relay.output();
      assertThat(relay.process().exitValue()).as(out).isEqualTo(1);
      assertThat(out).as("one line, no stack trace").doesNotContain("\tat ").doesNotContain("Exception:");
      assertThat(out.lines().filter(l -> l.startsWith("relay: ")).count()).as(out).isEqualTo(1);
      return out;
    }
  }

  private static Path config(String host, String mode, Path rootCert, String schema) throws Exception {
    Path file = dir.resolve(schema + ".yaml");
    Files.writeString(file, """
        database:
          url: r2dbc:postgresql://%s:%d/postgres?sslmode=%s
          user: postgres
          password: postgres
          schema: %s
          ssl-root-cert: %s
          pool-size: 4
          connect-timeout: 5s
        admin:
          port: 0
        shutdown:
          grace-period: 1s
        """.formatted(host, pg.getPort(), mode, schema, rootCert));
    return file;
  }

  private static List<Boolean> relayConnectionsSsl() throws Exception {
    return query("SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'relay'");
  }

  private static List<Boolean> listenersSsl() throws Exception {
    return query("SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
        + "WHERE a.application_name = 'relay' AND a.query ILIKE 'LISTEN%'");
  }

  private static List<Boolean> query(String sql) throws Exception {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<Boolean> out = new java.util.ArrayList<>();
      while (rs.next()) {
        out.add(rs.getBoolean(1));
      }
      return out;
    }
  }
}
