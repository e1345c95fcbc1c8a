package dev.relay.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.engine.config.EngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String DB = "database:\n  url: r2dbc:postgresql://localhost:5432/app\n";

  static RelayConfig parse(String yaml, Map<String, String> env) {
    return ConfigLoader.parse(yaml, "test.yaml", env);
  }

  static List<ConfigProblem> problems(String yaml) {
    return problems(yaml, Map.of());
  }

  static List<ConfigProblem> problems(String yaml, Map<String, String> env) {
    try {
      parse(yaml, env);
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected the configuration to be rejected");
  }

  static String endpoint(String extra) {
    return DB + "endpoints:\n  - name: billing\n    url: https://example.com/hook\n    secrets: [" + SECRET + "]\n" + extra;
  }

  @Test
  void minimalConfigUsesEngineDefaults() {
    RelayConfig c = parse(DB, Map.of());
    assertThat(c.delivery()).isEqualTo(EngineConfig.DEFAULT);
    assertThat(c.admin()).isEqualTo(AdminConfig.DEFAULT);
    assertThat(c.database().schema()).isEqualTo("relay");
    assertThat(c.endpoints()).isEmpty();
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void exampleConfigFileLoadsWithItsEnvironment() {
    RelayConfig c = ConfigLoader.load(Path.of("..", "config", "relay.yaml"),
        Map.of("BILLING_WEBHOOK_SECRET", SECRET, "CRM_WEBHOOK_SECRET", SECRET));
    assertThat(c.endpoints()).extracting(EndpointConfig::name).containsExactly("billing", "crm");
    assertThat(c.endpoints().get(0).rateLimit()).isEqualTo(dev.relay.webhook.config.RateLimit.perSecond(50));
    assertThat(c.webhookEndpoints().get(1).maxInFlight()).isEqualTo(32);
    assertThat(c.webhook().attemptDeadline()).isEqualTo(Duration.ofSeconds(25));
    assertThat(c.engineConfig().endpointLimit("billing")).isEqualTo(16);
    assertThat(c.delivery()).isEqualTo(EngineConfig.DEFAULT);
    assertThat(c.admin().token()).isNull();
  }

  @Test
  void composeConfigLoadsWithItsEnvironment() {
    RelayConfig c = ConfigLoader.load(Path.of("..", "config", "relay.compose.yaml"), Map.of(
        "POSTGRES_PASSWORD", "pw", "RECEIVER_SECRET", SECRET, "RELAY_ADMIN_TOKEN", "0123456789abcdef"));
    assertThat(c.admin().bind()).isEqualTo("0.0.0.0");
    assertThat(c.database().host()).isEqualTo("postgres");
    assertThat(c.webhookEndpoints()).extracting(e -> e.url().getHost()).containsOnly("receiver");
  }

  @Test
  void exampleConfigNamesTheMissingSecretVariable() {
    List<ConfigProblem> p = problems(readExample(), Map.of("BILLING_WEBHOOK_SECRET", SECRET));
    assertThat(p).extracting(ConfigProblem::toString)
        .containsExactly("endpoints[1].secrets[0]: environment variable CRM_WEBHOOK_SECRET is not set");
  }

  @Test
  void unknownKeyIsNamedWithASuggestion() {
    List<ConfigProblem> p = problems(DB + "delivery:\n  max-inflight: 10\n  retry:\n    maxAttempts: 3\nfoo: 1\n");
    assertThat(p).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
        "delivery.max-inflight: unknown key (did you mean 'max-in-flight'?)",
        "delivery.retry.maxAttempts: unknown key (did you mean 'max-attempts'?)",
        "foo: unknown key");
  }

  @Test
  void badDurationNamesTheKey() {
    assertThat(problems(DB + "delivery:\n  lease: 60\n  retry:\n    cap: forever\n"))
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder("delivery.lease", "delivery.retry.cap");
    assertThat(problems(DB + "delivery:\n  lease: 60\n")).first().asString()
        .contains("delivery.lease").contains("with a unit").contains("'60'");
  }

  @Test
  void badNumbersAndBooleansNameTheKey() {
    assertThat(problems(DB + "delivery:\n  max-in-flight: lots\nmetrics:\n  enabled: yes please\n"))
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder("delivery.max-in-flight", "metrics.enabled");
  }

  @Test
  void crossFieldRuleFromTheEngineNamesItsKey() {
    List<ConfigProblem> p = problems(DB + "delivery:\n  lease: 10s\n  attempt-timeout: 30s\n");
    assertThat(p).singleElement().satisfies(x -> {
      assertThat(x.path()).isEqualTo("delivery.lease");
      assertThat(x.message()).contains("delivery.attempt-timeout");
    });
    assertThat(problems(DB + "delivery:\n  retry:\n    jitter: 2\n"))
        .extracting(ConfigProblem::path).containsExactly("delivery.retry.jitter");
  }

  @Test
  void badUrlsNameTheKey() {
    assertThat(problems(DB + "endpoints:\n  - name: a\n    url: ftp://x/y\n    secrets: [" + SECRET + "]\n"
        + "  - name: b\n    url: https://user:pw@x/y\n    secrets: [" + SECRET + "]\n"
        + "  - name: c\n    url: http://x/y\n    secrets: [" + SECRET + "]\n"
        + "  - name: d\n    url: 'https://exa mple/'\n    secrets: [" + SECRET + "]\n"))
        .extracting(ConfigProblem::path)
        .containsExactly("endpoints[0].url", "endpoints[1].url", "endpoints[2].url", "endpoints[3].url");
    assertThat(problems(DB + "database:\n  url: mysql://x/y\n".substring(0, 0) + "database:\n  url: mysql://x/y\n"))
        .isNotEmpty();
  }

  @Test
  void databaseUrlProblemsNameTheKey() {
    assertThat(problems("database:\n  url: mysql://x/y\n")).extracting(ConfigProblem::path)
        .containsExactly("database.url");
    assertThat(problems("database:\n  schema: app\n")).extracting(ConfigProblem::toString)
        .containsExactly("database.url: is required");
  }

  @Test
  void userInfoIsNeverEchoed() {
    List<ConfigProblem> p = problems(DB + "endpoints:\n  - name: b\n    url: https://user:hunter2@x/y\n    secrets: [" + SECRET + "]\n");
    assertThat(p.toString()).doesNotContain("hunter2");
  }

  @Test
  void badSecretsAreNamedButNotShown() {
    List<ConfigProblem> p = problems(DB + "endpoints:\n  - name: a\n    url: https://x/y\n    secrets: [notasecret, whsec_!!!, whsec_c2hvcnQ=]\n"
        + "  - name: b\n    url: https://x/y\n");
    assertThat(p).extracting(ConfigProblem::path).containsExactly(
        "endpoints[0].secrets[0]", "endpoints[0].secrets[1]", "endpoints[0].secrets[2]", "endpoints[1].secrets");
    assertThat(p.toString()).doesNotContain("notasecret").doesNotContain("c2hvcnQ")
        // Issue 12, finding 6: the hint named a `relay secret` command that does not exist.
        .doesNotContain("relay secret").contains("openssl rand -base64 32");
  }

  @Test
  void duplicateEndpointNamesAreRejected() {
    String e = "    url: https://x/y\n    secrets: [" + SECRET + "]\n";
    List<ConfigProblem> p = problems(DB + "endpoints:\n  - name: a\n" + e + "  - name: b\n" + e + "  - name: a\n" + e);
    assertThat(p).extracting(ConfigProblem::toString)
        .containsExactly("endpoints[2].name: duplicate endpoint name 'a' (also endpoints[0].name)");
  }

  @Test
  void endpointDetailsAreChecked() {
    List<ConfigProblem> p = problems(endpoint(
        "    event-types: ['invoice.*', 'bad type']\n"
            + "    headers: {X-Ok: yes, webhook-signature: x, 'bad header': y}\n"
            + "    rate-limit: fast\n"
            + "    allowed-networks: [127.0.0.0/8, 10.0.0.0/33, example.com]\n"
            + "    max-in-flight: 0\n"
            + "    pasued: true\n"));
    assertThat(p).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
        "endpoints[0].event-types[1]",
        "endpoints[0].headers.webhook-signature",
        "endpoints[0].headers.bad header",
        "endpoints[0].rate-limit",
        "endpoints[0].allowed-networks[1]",
        "endpoints[0].allowed-networks[2]",
        "endpoints[0].max-in-flight",
        "endpoints[0].pasued");
  }

  @Test
  void everyProblemIsListedAtOnce() {
    ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> parse(
        "database:\n  pool-size: 0\ndelivery:\n  lease: x\nadmin:\n  port: 70000\n  token: short\nlogging:\n  format: xml\n",
        Map.of()));
    assertThat(e.problems()).extracting(ConfigProblem::path).contains(
        "database.url", "delivery.lease", "admin.port", "logging.format");
    assertThat(e.getMessage()).startsWith("invalid configuration test.yaml (").contains("\n  - database.url: is required");
  }

  @Test
  void environmentOverridesWinAndAreNamedWhenBad() {
    RelayConfig c = parse(endpoint(""), Map.of(
        "RELAY_DELIVERY_RETRY_MAX_ATTEMPTS", "3",
        "RELAY_ADMIN_TOKEN", "0123456789abcdef0123",
        "RELAY_ENDPOINTS_0_URL", "https://override.example/hook",
        "RELAY_ENDPOINTS_0_EVENT_TYPES", "a.*, b.c"));
    assertThat(c.delivery().retry().maxAttempts()).isEqualTo(3);
    assertThat(c.admin().token()).isEqualTo("0123456789abcdef0123");
    assertThat(c.endpoints().get(0).url().getHost()).isEqualTo("override.example");
    assertThat(c.endpoints().get(0).eventTypes()).containsExactly("a.*", "b.c");

    assertThat(problems(DB, Map.of("RELAY_DELIVERY_LEASE", "soon"))).singleElement().asString()
        .startsWith("delivery.lease: ").contains("RELAY_DELIVERY_LEASE");
  }

  @Test
  void interpolationSupportsDefaults() {
    RelayConfig c = parse("database:\n  url: ${DB_URL:-r2dbc:postgresql://db:5432/x}\n  user: ${DB_USER}\n",
        Map.of("DB_USER", "app"));
    assertThat(c.database().host()).isEqualTo("db");
    assertThat(c.database().user()).isEqualTo("app");
  }

  @Test
  void yamlSyntaxErrorsGiveTheLine() {
    assertThatThrownBy(() -> parse(DB + "delivery:\n  lease: [\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("line ");
    assertThatThrownBy(() -> parse(DB + "admin:\n  port: 1\n  port: 2\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("admin.port: is given twice (again on line 5)");
  }

  @Test
  void wrongShapesAreNamed() {
    assertThat(problems(DB + "delivery: 5\nendpoints: {a: 1}\nadmin:\n  bind: [a, b]\n"))
        .extracting(ConfigProblem::path).containsExactlyInAnyOrder("delivery", "endpoints", "admin.bind");
  }

  @Test
  void durationsParseAllUnits() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("PT1M")).isEqualTo(Duration.ofMinutes(1));
    assertThat(Durations.format(Duration.ofHours(24))).isEqualTo("1d");
  }

  @Test
  void webhookSettingsAreReadAndCheckedAgainstTheEngine() {
    RelayConfig c = parse(DB + "delivery:\n  attempt-timeout: 6s\n  lease: 20s\nwebhook:\n  allow-http: true\n"
        + "  breaker: {failure-rate-threshold: 75, open-duration: 10s}\n", Map.of());
    assertThat(c.webhook().attemptDeadline()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.webhook().allowHttp()).isTrue();
    assertThat(c.webhook().breaker().failureRateThreshold()).isEqualTo(75f);
    assertThat(problems(DB + "webhook:\n  attempt-deadline: 40s\n  breaker: {minimum-calls: 0}\n"))
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder("webhook.attempt-deadline", "webhook.breaker.minimum-calls");
  }

  @Test
  void environmentVariableNamesFollowTheKeyPath() {
    assertThat(ConfigLoader.environmentVariable("endpoints[0].max-in-flight")).isEqualTo("RELAY_ENDPOINTS_0_MAX_IN_FLIGHT");
  }

  static String readExample() {
    try {
      return java.nio.file.Files.readString(Path.of("..", "config", "relay.yaml"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
