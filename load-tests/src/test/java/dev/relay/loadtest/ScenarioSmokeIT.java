package dev.relay.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.loadtest.postgres.PostgresServer;
import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.RunReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every scenario at a tiny size against the packaged relay.jar (relay-app's package phase built
 * it earlier in the reactor), sharing one embedded Postgres. Asserts correctness only: every
 * published event delivered, no invalid signature, no duplicate where none is allowed, relays
 * stopped cleanly. Never timing: CI machines vary.
 */
class ScenarioSmokeIT {
  private static final Path OUT = Path.of(System.getProperty("relay.load.out", "target/relay-load-smoke"));
  private static PostgresServer postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    // Correctness only: commit durability changes no outcome here, only the time CI takes.
    postgres = PostgresServer.embedded(false);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    postgres.close();
  }

  private static RunReport run(String scenario, String... options) throws Exception {
    var a = postgres.address();
    List<String> args = new ArrayList<>(List.of(scenario));
    args.addAll(List.of(options));
    args.addAll(List.of("--warmup-events", "0", "--ceiling-events", "200", "--drain-timeout", "60s",
        "--sample-interval", "500ms",
        "--database-url", "postgresql://" + a.user() + ":" + a.password() + "@" + a.host() + ":" + a.port() + "/"
            + a.database(),
        "--schema", "smoke_" + scenario.replace('-', '_'),
        "--out", OUT.resolve(scenario).toString()));
    RunReport report = LoadTool.run(System.out, args.toArray(String[]::new)).orElseThrow();
    assertThat(report.phases()).isNotEmpty();
    for (PhaseResult p : report.phases()) {
      assertThat(p.correctness().ok()).as("%s: %s", p.name(), p.correctness().verdict()).isTrue();
      assertThat(p.correctness().delivered()).as(p.name()).isEqualTo(p.correctness().published()).isPositive();
      assertThat(p.correctness().badSignatures()).as(p.name()).isZero();
    }
    assertThat(report.relayExitCodes()).as("exit codes after SIGTERM").allMatch(code -> code == 0);
    assertThat(report.correct()).isTrue();
    assertThat(OUT.resolve(scenario).resolve("report.html")).isNotEmptyFile();
    return report;
  }

  @Test
  void drainDeliversTheWholeBacklogOnceWithBothCeilingsMeasured() throws Exception {
    RunReport r = run("drain", "--events", "30");

    assertThat(r.ceilings().database()).isNotNull();
    assertThat(r.ceilings().http()).isNotNull();
    assertThat(r.phases().get(0).correctness().duplicates()).isZero();
    assertThat(r.phases().get(0).notes().get(0)).as("the relay's own metrics agree").contains("30 delivered");
    assertThat(r.tables()).extracting(t -> t.table()).contains("delivery", "message");
  }

  @Test
  void latencyRoundTripsAllArrive() throws Exception {
    RunReport r = run("latency", "--events", "20");

    assertThat(r.phases().get(0).latency().count()).isEqualTo(20);
    assertThat(r.ceilings().databaseRoundTrip()).isNotNull();
    assertThat(r.ceilings().httpRoundTrip()).isNotNull();
  }

  @Test
  void steadyOpenLoopDeliversEveryScheduledEventPublishedOverR2dbc() throws Exception {
    RunReport r = run("steady", "--rates", "40", "--duration", "2s", "--publisher", "r2dbc");

    assertThat(r.phases().get(0).correctness().published()).isEqualTo(80);
    assertThat(r.phases().get(0).samples()).isNotEmpty();
  }

  @Test
  void slowReceiverDrainsThroughDelayedAnswers() throws Exception {
    RunReport r = run("slow-receiver", "--events", "30");

    assertThat(r.ceilings().theoreticalHttp()).isEqualTo(32 / 0.020);
  }

  @Test
  void multiRelaysDeliverEachEventExactlyOnce() throws Exception {
    RunReport r = run("multi", "--events", "30", "--relays", "3", "--compare-single", "false");

    assertThat(r.phases().get(0).relays()).isEqualTo(3);
    assertThat(r.phases().get(0).correctness().duplicates()).isZero();
    assertThat(r.relayExitCodes()).hasSize(3);
  }

  @Test
  void endpointsSpreadZipfTrafficOverManyEndpoints() throws Exception {
    RunReport r = run("endpoints", "--endpoints", "20", "--events", "60");

    assertThat(r.phases().get(0).endpoints()).isEqualTo(20);
  }

  @Test
  void soakKeepsATimeSeries() throws Exception {
    RunReport r = run("soak", "--rates", "40", "--duration", "3s");

    assertThat(r.phases().get(0).samples().size()).isGreaterThanOrEqualTo(3);
    assertThat(r.targets()).isNotEmpty();
  }

  @Test
  void engineBenchmarkStillRuns() throws Exception {
    RunReport r = run("engine", "--events", "200");

    assertThat(r.phases()).hasSize(4);
    assertThat(r.ceilings().database()).isNotNull();
  }

  @Test
  void runtimeEndpointsReportsTheFootprintOfEachStage() throws Exception {
    RunReport r = run("runtime-endpoints", "--runtime-endpoints", "50", "--active-endpoints", "10", "--events", "40");

    assertThat(r.phases()).hasSize(2);
    assertThat(r.notes()).anyMatch(n -> n.startsWith("50 runtime endpoints, 10 active: RSS"));
    assertThat(r.targets()).hasSize(2);
  }
}
