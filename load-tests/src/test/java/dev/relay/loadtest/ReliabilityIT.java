package dev.relay.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.loadtest.postgres.PostgresServer;
import dev.relay.loadtest.reliability.ReliabilityScenario;
import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.RunReport;
import dev.relay.loadtest.report.TargetCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every reliability scenario at a small size (seconds to a minute each) against the packaged
 * relay.jar, asserting correctness only: nothing lost, duplicates within the bound (none for
 * sigterm and where no relay dies), recovery happened, every row classified as the receiver's
 * answers say. Never the timing criteria: CI machines vary. pg-restart and pool-exhaustion get an
 * embedded Postgres of their own (they restart it, or use up its connections); the others share
 * one.
 */
class ReliabilityIT {
  private static final Path OUT = Path.of(System.getProperty("relay.load.out", "target/relay-load-smoke"))
      .resolveSibling("relay-load-reliability");
  private static PostgresServer postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.embedded(false);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    postgres.close();
  }

  private static RunReport run(String scenario, boolean ownDatabase, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("reliability", scenario));
    args.addAll(List.of("--durable", "false", "--schema", "rel_" + scenario.replace('-', '_'),
        "--out", OUT.resolve(scenario).toString()));
    args.addAll(List.of(options)); // the last value of an option wins
    if (!ownDatabase) {
      var a = postgres.address();
      args.addAll(List.of("--database-url", "postgresql://" + a.user() + ":" + a.password() + "@" + a.host() + ":"
          + a.port() + "/" + a.database()));
    }
    RunReport report = LoadTool.run(System.out, args.toArray(String[]::new)).orElseThrow();
    assertThat(report.phases()).singleElement().satisfies(p -> {
      assertThat(p.correctness().published()).as("events published").isPositive();
      assertThat(p.correctness().lost()).as("lost: %s", p.correctness().missingSample()).isZero();
      assertThat(p.correctness().badSignatures()).isZero();
    });
    List<TargetCheck> correctness = report.criteria().stream()
        .filter(c -> !c.target().contains(ReliabilityScenario.TIMING)).toList();
    assertThat(correctness).as("correctness criteria").isNotEmpty()
        .allSatisfy(c -> assertThat(c.met()).as("%s: %s", c.target(), c.measured()).isTrue());
    assertThat(report.relayExitCodes()).as("exit codes after SIGTERM").allMatch(code -> code == 0);
    return report;
  }

  private static PhaseResult only(RunReport r) {
    return r.phases().get(0);
  }

  private static boolean checked(RunReport r, String criterion) {
    return r.criteria().stream().anyMatch(c -> c.target().contains(criterion) && c.met());
  }

  @Test
  void kill9LosesNothingAndDuplicatesStayWithinKillsTimesInFlight() throws Exception {
    RunReport r = run("kill9", false, "--events", "800", "--fault-every", "2s");

    assertThat(checked(r, "fault injected")).isTrue();
    assertThat(checked(r, "duplicates <= kills x delivery.max-in-flight")).isTrue();
  }

  @Test
  void sigtermLosesNothingAndSendsNothingTwice() throws Exception {
    RunReport r = run("sigterm", false, "--events", "800", "--fault-every", "2s");

    assertThat(only(r).correctness().duplicates()).isZero();
    assertThat(checked(r, "every SIGTERMed relay exited 0")).isTrue();
  }

  @Test
  void pgRestartRecoversWithoutARestartAndListensAgain() throws Exception {
    // Durable: with synchronous_commit off an immediate stop loses the last commits.
    RunReport r = run("pg-restart", true, "--events", "1500", "--fault-for", "1s", "--durable", "true");

    assertThat(only(r).correctness().duplicates()).isZero();
    assertThat(checked(r, "every relay ready again without a restart")).isTrue();
    assertThat(checked(r, "LISTEN re-established on every relay")).isTrue();
    assertThat(checked(r, "/health/ready reported each outage")).isTrue();
  }

  @Test
  void backendKillsWedgeNoRelay() throws Exception {
    RunReport r = run("backend-kills", false, "--events", "500", "--rates", "50", "--fault-for", "6s");

    assertThat(checked(r, "backends terminated")).isTrue();
    assertThat(checked(r, "no wedged relay")).isTrue();
  }

  @Test
  void blackholedRelayIsTakenOverAndCountsItsLateSettles() throws Exception {
    RunReport r = run("blackhole", false, "--events", "1000", "--rates", "20", "--fault-for", "15s");

    assertThat(checked(r, "the other relay took over")).isTrue();
    assertThat(checked(r, "late settles refused or given up, and counted")).isTrue();
    assertThat(checked(r, "under one log line per second per failure kind")).isTrue();
  }

  @Test
  void receiverFaultsEndEveryRowAsClassified() throws Exception {
    RunReport r = run("receiver-faults", false, "--rates", "20", "--duration", "6s");

    assertThat(only(r).correctness().duplicates()).as("a dripped 200 is not sent again").isZero();
    assertThat(checked(r, "every row delivered or dead as its last answer classifies")).isTrue();
    assertThat(checked(r, "in flight never above its limit")).isTrue();
  }

  @Test
  void stormDrainsWithinTheConcurrencyLimit() throws Exception {
    RunReport r = run("storm", false, "--events", "200", "--fault-for", "6s");

    assertThat(checked(r, "the backlog drains")).isTrue();
    assertThat(checked(r, "never more in flight than configured")).isTrue();
  }

  @Test
  void longTransactionLosesNothingWhileVacuumIsHeldBack() throws Exception {
    RunReport r = run("long-transaction", false, "--rates", "50", "--duration", "5s", "--fault-for", "10s",
        "--sample-interval", "1s");

    assertThat(checked(r, "the transaction held vacuum back")).isTrue();
  }

  @Test
  void poolExhaustionIsSaidClearlyAndDeliveryResumes() throws Exception {
    RunReport r = run("pool-exhaustion", true, "--events", "100", "--fault-for", "30s");

    assertThat(checked(r, "at start: a clear signal")).isTrue();
    assertThat(checked(r, "while running: a clear signal")).isTrue();
    assertThat(checked(r, "delivers once connections free up")).isTrue();
  }
}
