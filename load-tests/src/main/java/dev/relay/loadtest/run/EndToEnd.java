package dev.relay.loadtest.run;

import dev.relay.loadtest.report.Ceilings;
import dev.relay.loadtest.report.Environment;
import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.RunReport;
import dev.relay.loadtest.scenario.ScenarioContext;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The frame of every end-to-end scenario: open the workbench, measure the ceilings, run the
 * phases on a fleet of relays, stop the relays (SIGTERM, exit codes recorded), read the relay
 * tables, and assemble the report with each phase's throughput as ratios of the ceilings.
 */
public final class EndToEnd {
  /** Which ceilings a scenario measures. */
  @FunctionalInterface
  public interface CeilingStep {
    Ceilings measure(Workbench bench) throws Exception;
  }

  /** A scenario's measured phases, on relays it starts from the fleet. */
  @FunctionalInterface
  public interface PhaseStep {
    List<PhaseResult> run(Workbench bench, Fleet fleet) throws Exception;
  }

  private EndToEnd() {}

  public static RunReport run(ScenarioContext context, String description, CeilingStep ceilingStep,
      PhaseStep phaseStep) throws Exception {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    try (Workbench bench = Workbench.open(context)) {
      Environment environment = bench.environment();
      Ceilings ceilings = ceilingStep.measure(bench);
      List<PhaseResult> phases;
      List<Integer> exitCodes;
      List<String> notes;
      try (Fleet fleet = new Fleet(bench)) {
        phases = phaseStep.run(bench, fleet).stream()
            .map(p -> p.withRatios(ceilings.ratios(p.throughput()))).toList();
        fleet.close();
        exitCodes = fleet.exitCodes();
        notes = fleet.notes();
      }
      TimeUnit.SECONDS.sleep(1); // table statistics reach pg_stat_user_tables within about a second
      return new RunReport(context.options().scenario(), description, started, (System.nanoTime() - t0) / 1e9,
          environment, ceilings, phases, bench.tableStats(), exitCodes, List.of(), notes);
    }
  }
}
