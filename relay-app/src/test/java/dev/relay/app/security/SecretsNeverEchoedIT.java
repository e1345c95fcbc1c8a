package dev.relay.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.app.Http;
import dev.relay.app.http.Json;
import dev.relay.app.RelayProcess;
import dev.relay.app.VerifyingReceiver;
import dev.relay.engine.config.DatabaseConfig;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Issue 12, item 3: a marker planted in every secret-bearing place (database password, URL
 * user-info and parameters, database given as a URL string, header values, signing secrets, the
 * admin token, a YAML error on the password line), then every error path and a real run of the
 * packaged relay: no output, log line or HTTP answer may contain it, in the plain and in the JSON
 * log format (issue 14), through refused connections, a receiver that quotes every header back in
 * its 500, and dead letters.
 */
@ExtendWith(PostgresExtension.class)
class SecretsNeverEchoedIT {
  static final String MARKER = "Zq7Canary9X";
  static final String SECRET = "whsec_" + MARKER + "A".repeat(21);
  static final String TOKEN = MARKER + "-admin-token-0123456789";
  @TempDir Path dir;
  final List<String> seen = new ArrayList<>();

  @Test
  void noErrorPathOrRunShowsAPlantedSecret(TestDatabase db) throws Exception {
    DatabaseConfig d = db.config();
    String base = "r2dbc:postgresql://" + d.host() + ":" + d.port() + "/" + d.database();
    Map<String, String> env = Map.of("HOOK_SECRET", SECRET, "RELAY_ADMIN_TOKEN", TOKEN + "\n",
        "DB_PASSWORD", MARKER + "-pw/with@odd:chars");
    for (String bad : List.of(
        "database:\n  url: postgresql://relay:pa/ss" + MARKER + "@db/app\n",
        "database:\n  url: postgresql://relay:" + MARKER + "@x@db/app\n",
        "database:\n  url: postgresql://db/app?password=" + MARKER + "\n",
        "database:\n  url: postgresql://db/app?sslmode=" + MARKER + "\n",
        "database: postgresql://relay:" + MARKER + "@db/app\n",
        "database:\n  url: " + base + "\n  password: \"" + MARKER + "\n",
        "database:\n  url: " + base + "\n  password: [" + MARKER + "\n",
        "database:\n  url: " + base + "\n  password: " + MARKER + ": {\n",
        "database:\n  url: " + base + "\nendpoints:\n  - name: a\n    url: https://example.com/h\n"
            + "    secrets: [whsec_" + MARKER + "!!]\n    headers: {X-Api-Key: \"" + MARKER + "\\u0007\"}\n",
        "database:\n  url: " + base + "\nadmin:\n  token: \"" + MARKER + " x\"\n",
        "database:\n  url: " + base + "\nendpoints:\n  - name: a\n    url: https://u:" + MARKER + "@example.com/h\n"
            + "    secrets: [\"${HOOK_SECRET}\"]\n")) {
      for (String command : List.of("check-config", "run")) {
        Path file = Files.writeString(dir.resolve("bad.yaml"), bad);
        Map<String, String> fileOnly = Map.of("HOOK_SECRET", SECRET);
        try (RelayProcess p = RelayProcess.start(dir.resolve("bad.log"), fileOnly, command, "--config", file.toString())) {
          assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
          assertThat(p.process().exitValue()).as(p.output()).isEqualTo(3);
          seen.add(p.output());
        }
      }
    }

    for (String format : List.of("plain", "json")) {
      runThroughFailures(d, base, env, format);
    }
    assertThat(seen).isNotEmpty().allSatisfy(text -> assertThat(text).doesNotContain(MARKER));
  }

  /** A real run of the packaged jar in {@code format} through failures: refused connections, 500s quoting headers, dead letters. */
  private void runThroughFailures(DatabaseConfig d, String base, Map<String, String> env, String format) throws Exception {
    String schema = d.schema() + "_" + format;
    // Answers 500 with every request header in the body: the reason snippet quotes them.
    DisposableServer echo = HttpServer.create().host("127.0.0.1").port(0)
        .handle((req, res) -> req.receive().then(res.status(500).sendString(Mono.just(
            req.requestHeaders().entries().toString())).then()))
        .bindNow();
    try (VerifyingReceiver receiver = new VerifyingReceiver(SECRET, Duration.ZERO)) {
      Path good = Files.writeString(dir.resolve(format + ".yaml"), """
          database:
            url: %s
            user: %s
            password: ${DB_PASSWORD}
            schema: %s
          delivery:
            retry: {initial: 100ms, cap: 200ms, max-attempts: 2}
          admin:
            port: 0
            token: ${RELAY_ADMIN_TOKEN}
            publish-enabled: true
          logging:
            level: debug
            format: %s
          shutdown:
            grace-period: 1s
          endpoints:
            - name: hook
              url: %s
              secrets: ["${HOOK_SECRET}"]
              headers: {X-Api-Key: "%s-header"}
              allow-http: true
              allowed-networks: [127.0.0.0/8]
            - name: refusing
              url: http://127.0.0.1:1/
              secrets: ["${HOOK_SECRET}"]
              headers: {Authorization: "Bearer %s"}
              allow-http: true
              allowed-networks: [127.0.0.0/8]
            - name: echoing
              url: http://127.0.0.1:%d/echo
              secrets: ["${HOOK_SECRET}"]
              headers: {X-Api-Key: "%s-echo"}
              allow-http: true
              allowed-networks: [127.0.0.0/8]
          """.formatted(base, d.user(), schema, format, receiver.url("hook"), MARKER, MARKER, echo.port(), MARKER));
      try (RelayProcess check = RelayProcess.start(dir.resolve(format + "-check.log"), env, "check-config", "--config",
          good.toString())) {
        assertThat(check.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.process().exitValue()).as(check.output()).isZero();
        seen.add(check.output());
      }
      try (RelayProcess run = RelayProcess.start(dir.resolve(format + "-run.log"), env, "run", "--config", good.toString())) {
        await().atMost(Duration.ofSeconds(60)).until(() -> run.output().contains("Relay started") || !run.process().isAlive());
        Matcher port = Pattern.compile("HTTP on 127.0.0.1:(\\d+)").matcher(run.output());
        assertThat(port.find()).as(run.output()).isTrue();
        String base2 = "http://127.0.0.1:" + port.group(1);
        Http admin = new Http(base2, TOKEN);
        Http.Response published = admin.post("/admin/publish", "{\"event_type\": \"a.b\", \"payload\": {}}");
        assertThat(published.status()).as(published.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests() > 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> run.output().contains("dead after"));
        for (String path : List.of("/admin/endpoints", "/admin/dead-letters", "/admin/endpoints/hook",
            "/health/ready", "/health/live", "/metrics")) {
          seen.add(admin.get(path).body());
        }
        seen.add(new Http(base2, TOKEN + "x").get("/admin/endpoints").body());
        assertThat(run.terminate(Duration.ofSeconds(30))).isZero();
        String output = run.output();
        // The failures were logged: the echoing receiver's 500 (which quotes every header back) and the dead letters.
        assertThat(output).contains("endpoint echoing").contains("not delivered").contains("dead after");
        if (format.equals("json")) {
          assertThat(output.lines().filter(l -> l.startsWith("{")).map(Json::read).toList())
              .isNotEmpty().allSatisfy(line -> assertThat(line.has("timestamp") && line.has("level")
                  && line.has("logger") && line.has("message")).isTrue())
              .anySatisfy(line -> assertThat(line.path("endpoint").asText()).isEqualTo("echoing"));
        }
        seen.add(output);
      }
      assertThat(receiver.badSignatures()).isZero();
    } finally {
      echo.disposeNow();
    }
  }
}
