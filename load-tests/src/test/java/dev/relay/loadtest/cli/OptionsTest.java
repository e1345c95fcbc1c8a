package dev.relay.loadtest.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {

  private static Options options(Map<String, String> scenarioDefaults, String... args) {
    return Options.from("drain", Arguments.parse(args), scenarioDefaults);
  }

  @Test
  void theUserOverridesTheScenarioWhichOverridesTheCatalog() {
    Options o = options(Map.of("events", "50000", "relays", "3"), "drain", "--events", "1_000", "--duration=5s");

    assertThat(o.events()).isEqualTo(1000);
    assertThat(o.relays()).isEqualTo(3);
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.payloadBytes()).isEqualTo(1024);
    assertThat(o.databaseUrl()).isNull();
    assertThat(o.ceilings()).containsExactlyInAnyOrder("db", "http");
  }

  @Test
  void relaySetsAreCollectedAsConfigKeys() {
    Options o = options(Map.of(), "drain", "--relay-set", "delivery.max-in-flight=1000",
        "--relay-set=delivery.claim-batch-size=250");

    assertThat(o.relaySettings()).containsExactlyInAnyOrderEntriesOf(
        Map.of("delivery.max-in-flight", "1000", "delivery.claim-batch-size", "250"));
  }

  @Test
  void ratesAndJvmArgumentsAreLists() {
    Options o = options(Map.of(), "steady", "--rates", "500, 2000", "--relay-jvm-args", "-Xmx512m  -XX:+UseG1GC");

    assertThat(o.rates()).containsExactly(500.0, 2000.0);
    assertThat(o.relayJvmArgs()).containsExactly("-Xmx512m", "-XX:+UseG1GC");
  }

  @Test
  void errorsNameTheOption() {
    assertThatThrownBy(() -> options(Map.of(), "drain", "--events", "many")).isInstanceOf(UsageException.class)
        .hasMessageContaining("--events");
    assertThatThrownBy(() -> options(Map.of(), "drain", "--drain-timeout", "soon")).hasMessageContaining("--drain-timeout");
    assertThatThrownBy(() -> options(Map.of(), "drain", "--ceilings", "cpu")).hasMessageContaining("--ceilings");
    assertThatThrownBy(() -> options(Map.of(), "drain", "--schema", "Relay")).hasMessageContaining("--schema");
    assertThatThrownBy(() -> options(Map.of(), "drain", "--relay-set", "oops")).hasMessageContaining("--relay-set");
    assertThatThrownBy(() -> options(Map.of(), "drain", "--publisher", "odbc")).hasMessageContaining("--publisher");
    assertThatThrownBy(() -> Arguments.parse("drain", "--bogus", "1")).hasMessageContaining("--bogus");
    assertThatThrownBy(() -> Arguments.parse("drain", "--events")).hasMessageContaining("needs a value");
  }

  @Test
  void activeRuntimeEndpointsAreAmongTheCreatedOnes() {
    Options o = options(Map.of(), "runtime-endpoints", "--runtime-endpoints", "2_000", "--active-endpoints", "100");

    assertThat(o.runtimeEndpoints()).isEqualTo(2000);
    assertThat(o.activeEndpoints()).isEqualTo(100);
    assertThat(options(Map.of(), "runtime-endpoints").runtimeEndpoints()).isEqualTo(100_000);
    assertThatThrownBy(() -> options(Map.of(), "runtime-endpoints", "--runtime-endpoints", "10", "--active-endpoints",
        "11")).isInstanceOf(UsageException.class).hasMessageContaining("--active-endpoints");
  }

  @Test
  void aReceiverDelayBecomesAConstantSchedule() {
    Options o = options(Map.of("receiver-delay", "20ms"), "slow-receiver");

    assertThat(o.receiverSchedule().steps()).singleElement()
        .satisfies(s -> assertThat(s.behaviour().delay()).isEqualTo(Duration.ofMillis(20)));
    assertThat(o.receiverDescription()).isEqualTo("answers 200 after 20ms");
  }

  @Test
  void helpListsEveryScenarioAndOption() {
    String help = HelpText.render(Map.of("drain", "a backlog"));

    assertThat(help).contains("drain", "a backlog");
    for (OptionSpec o : OptionCatalog.ALL) {
      assertThat(help).contains("--" + o.name());
    }
    assertThat(Arguments.parse("--help").help()).isTrue();
    assertThat(List.of(Arguments.parse("drain").scenario())).containsExactly("drain");
  }
}
