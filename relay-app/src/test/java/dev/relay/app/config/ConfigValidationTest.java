package dev.relay.app.config;

import dev.relay.engine.endpoint.OnDeadLetter;

import static dev.relay.app.config.ConfigLoaderTest.DB;
import static dev.relay.app.config.ConfigLoaderTest.SECRET;
import static dev.relay.app.config.ConfigLoaderTest.endpoint;
import static dev.relay.app.config.ConfigLoaderTest.parse;
import static dev.relay.app.config.ConfigLoaderTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.config.SslMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The findings of issue 12 about configuration: each test names the one it covers. */
class ConfigValidationTest {

  /** Finding 6: "validation stops at the first problem in a section". */
  @Test
  void everyBadValueOfASectionIsReported() {
    assertThat(problems(DB + "delivery:\n  retry: {factor: 0.5, jitter: 7, max-attempts: 0}\n"))
        .extracting(ConfigProblem::toString).containsExactly(
            "delivery.retry.factor: must be at least 1 (delays must not shrink), was '0.5'",
            "delivery.retry.jitter: must be within 0..1, was '7.0'",
            "delivery.retry.max-attempts: must be at least 1, was '0'");
  }

  /** Finding 6: "huge durations give 'long overflow' without a key, one passes check-config and kills run". */
  @Test
  void hugeDurationsNameTheirKeyAndAreBounded() {
    assertThat(problems(DB + "delivery:\n  lease: 99999999999999999d\n  retention: {dead: 106751991167d}\n"))
        .extracting(ConfigProblem::toString).containsExactly(
            "delivery.lease: is far too large for a duration, was '99999999999999999d'",
            "delivery.retention.dead: must be at most 3650d (ten years)");
    assertThat(problems(DB + "delivery:\n  attempt-timeout: 400000000000000s\n")).singleElement().asString()
        .startsWith("delivery.attempt-timeout: must be at most 1h");
  }

  /** Finding 5: "YAML aliases are kept as text". */
  @Test
  void anchorsAliasesAndMergeKeysAreResolved() {
    RelayConfig c = parse(DB + "x-types: &evs [invoice.paid, customer.*]\n".substring(0, 0)
        + "endpoints:\n"
        + "  - &base\n    name: a\n    url: https://a.example/h\n    secrets: [" + SECRET + "]\n"
        + "    event-types: &evs [invoice.paid, 'customer.*']\n"
        + "  - <<: *base\n    name: b\n    event-types: *evs\n", Map.of());
    assertThat(c.endpoints()).extracting(EndpointConfig::name).containsExactly("a", "b");
    assertThat(c.endpoints().get(1).eventTypes()).containsExactly("invoice.paid", "customer.*");
    assertThat(c.endpoints().get(1).url().getHost()).isEqualTo("a.example");
  }

  @Test
  void aliasBombsAndUnknownAliasesAreRefused() {
    StringBuilder bomb = new StringBuilder(DB + "a0: &a0 [x, x]\n");
    for (int i = 1; i < 30; i++) {
      bomb.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1).append("]\n");
    }
    assertThat(problems(bomb.toString())).singleElement().asString().startsWith("not valid YAML");
    assertThat(problems(DB + "endpoints: *nowhere\n")).singleElement().asString()
        .contains("line 3").doesNotContain("nowhere");
  }

  /** Finding 6: "RELAY_* variables with typos are ignored silently". */
  @Test
  void unknownRelayVariablesAreWarnedAboutWithTheNearestKey() {
    LoadedConfig loaded = ConfigLoader.parseWithWarnings(DB + "admin:\n  token: ${RELAY_TOKEN_FILE_VALUE}\n", "t",
        Map.of("RELAY_DELIVERY_MAX_INFLIGHT", "3", "RELAY_TOKEN_FILE_VALUE", "0123456789abcdef0123",
            "RELAY_CONFIG", "x.yaml", "RELAY_DELIVERY_LEASE", "45s"));
    assertThat(loaded.warnings()).containsExactly("environment variable RELAY_DELIVERY_MAX_INFLIGHT sets no "
        + "configuration key and is not used in the file; ignored (did you mean RELAY_DELIVERY_MAX_IN_FLIGHT?)");
    assertThat(loaded.config().delivery().lease()).isEqualTo(Duration.ofSeconds(45));
  }

  /** Finding 6: "an admin token with a trailing newline makes every request 401". */
  @Test
  void tokensAndSecretsAreTrimmedAndRefusedForInnerWhitespace() {
    RelayConfig c = parse(endpoint(""), Map.of("RELAY_ADMIN_TOKEN", "0123456789abcdef0123\n",
        "RELAY_ENDPOINTS_0_SECRETS", " " + SECRET + "\n"));
    assertThat(c.admin().token()).isEqualTo("0123456789abcdef0123");
    assertThat(c.endpoints().get(0).secrets()).containsExactly(SECRET);
    assertThat(problems(DB, Map.of("RELAY_ADMIN_TOKEN", "0123456789 abcdef0123"))).singleElement().asString()
        .isEqualTo("admin.token: must be printable ASCII without spaces (value not shown) "
            + "(from environment variable RELAY_ADMIN_TOKEN)");
  }

  /** Finding 6: "allowed-networks: [0.0.0.0/0] silently turns the guard off". */
  @Test
  void aCatchAllNetworkIsAnExplicitChoice() {
    assertThat(problems(endpoint("    allowed-networks: [0.0.0.0/0]\n") + "webhook:\n  allowed-networks: ['::/0']\n"))
        .extracting(ConfigProblem::path)
        .containsExactly("endpoints[0].allowed-networks[0]", "webhook.allowed-networks[0]");
    RelayConfig c = parse(endpoint("    allow-any-network: true\n"), Map.of());
    assertThat(c.endpoints().get(0).allowedNetworks()).containsExactly("0.0.0.0/0", "::/0");
  }

  @Test
  void onDeadLetterIsSkipOrBlock() {
    assertThat(parse(endpoint(""), Map.of()).endpoints().get(0).onDeadLetter()).isEqualTo(OnDeadLetter.SKIP);
    assertThat(parse(endpoint("    on-dead-letter: block\n"), Map.of()).endpoints().get(0).onDeadLetter())
        .isEqualTo(OnDeadLetter.BLOCK);
    assertThat(problems(endpoint("    on-dead-letter: hold\n"))).singleElement().asString()
        .isEqualTo("endpoints[0].on-dead-letter: must be skip or block, was 'hold'");
  }

  /** Finding 2: "?sslmode=verify-full in the URL is silently dropped". */
  @Test
  void tlsComesFromTheUrlOrTheKeysAndUnknownParametersAreRefused(@TempDir Path dir) throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    RelayConfig fromUrl = parse("database:\n  url: postgresql://db.example/app?sslmode=verify-full&sslrootcert=" + ca
        + "\n", Map.of());
    assertThat(fromUrl.database().tls().mode()).isEqualTo(SslMode.VERIFY_FULL);
    assertThat(fromUrl.database().tls().rootCert()).isEqualTo(ca.toString());
    RelayConfig fromKeys = parse("database:\n  url: postgresql://db.example/app\n  ssl-mode: require\n", Map.of());
    assertThat(fromKeys.database().tls().mode()).isEqualTo(SslMode.REQUIRE);
    assertThat(parse(DB, Map.of()).database().tls().mode()).isEqualTo(SslMode.DISABLE);

    assertThat(problems("database:\n  url: postgresql://db/app?sslmode=verify-full\n")).singleElement().asString()
        .startsWith("database.ssl-root-cert: is required with ssl-mode verify-full");
    assertThat(problems("database:\n  url: postgresql://db/app?sslmode=require&ssl=true\n")).singleElement().asString()
        .contains("unknown parameter 'ssl'");
    assertThat(problems("database:\n  url: postgresql://db/app?sslmode=require\n  ssl-mode: disable\n"))
        .singleElement().asString().contains("disagree");
    assertThat(problems("database:\n  url: postgresql://db/app\n  ssl-mode: verify-full\n  ssl-root-cert: "
        + dir.resolve("missing.pem") + "\n")).extracting(ConfigProblem::toString)
        .containsExactly("database.ssl-root-cert: is not a readable file");
  }

  /** Finding 3: "config errors print credentials". */
  @Test
  void valuesOfSecretBearingKeysAreNeverPrinted() {
    String marker = "Zq7Canary9X";
    List<String> files = List.of(
        "database:\n  url: postgresql://relay:pa/ss" + marker + "@db/app\n",
        "database:\n  url: postgresql://relay:pa@ss" + marker + "@db/app\n",
        "database:\n  url: postgresql://db/app?password=" + marker + "\n",
        "database:\n  url: postgresql://db/app?" + marker + "=1\n",
        "database: postgresql://relay:" + marker + "@db/app\n",
        "database:\n  url: postgresql://db/app\n  password: [" + marker + "]\n",
        "database:\n  url: postgresql://db/app\n  password: \"" + marker + "\n",
        "database:\n  url: postgresql://db/app\n  password: " + marker + ": x\n",
        "database:\n  url: postgresql://db/app\n  password: *" + marker + "\n",
        "database:\n  url: postgresql://db/app\n  user: " + marker + marker + marker + marker + marker + marker + marker + "\n",
        "database:\n  url: mysql://" + marker + "/app\n",
        endpoint("    headers: {X-Key: \"" + marker + "\\n\"}\n"),
        endpoint("    headers: {X-Key: [" + marker + "]}\n"),
        endpoint("    url: https://u:" + marker + "@example.com/h\n").replace("    url: https://example.com/hook\n", ""),
        endpoint("").replace(SECRET, "whsec_" + marker + "!"),
        endpoint("").replace(SECRET, marker),
        DB + "admin:\n  token: short" + marker.substring(0, 4) + "\n",
        DB + "admin:\n  token: \"" + marker + " " + marker + "\"\n");
    for (String yaml : files) {
      String shown;
      try {
        parse(yaml, Map.of());
        shown = "accepted";
      } catch (ConfigException e) {
        shown = e.getMessage();
      }
      assertThat(shown).as(yaml).doesNotContain(marker).doesNotContain("Zq7C").doesNotContain("accepted");
    }
  }
}
