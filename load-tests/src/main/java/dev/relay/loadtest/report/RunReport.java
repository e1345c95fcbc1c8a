package dev.relay.loadtest.report;

import dev.relay.loadtest.postgres.TableStat;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A whole run: what ran where, the ceilings, each phase, the relay tables afterwards, the targets
 * and free-form notes.
 *
 * @param relayExitCodes exit codes after SIGTERM, relay by relay (0 = drained and stopped cleanly)
 */
public record RunReport(String scenario, String description, Instant started, double wallSeconds,
    @Nullable Environment environment, Ceilings ceilings, List<PhaseResult> phases, List<TableStat> tables,
    List<Integer> relayExitCodes, List<TargetCheck> targets, List<String> notes) {

  public RunReport {
    phases = List.copyOf(phases);
    tables = List.copyOf(tables);
    relayExitCodes = List.copyOf(relayExitCodes);
    targets = List.copyOf(targets);
    notes = List.copyOf(notes);
  }

  /** Every phase correct and every relay stopped cleanly. */
  public boolean correct() {
    return phases.stream().allMatch(p -> p.correctness().ok()) && relayExitCodes.stream().allMatch(c -> c == 0);
  }

  public RunReport withTargets(List<TargetCheck> newTargets) {
    return new RunReport(scenario, description, started, wallSeconds, environment, ceilings, phases, tables,
        relayExitCodes, newTargets, notes);
  }
}
