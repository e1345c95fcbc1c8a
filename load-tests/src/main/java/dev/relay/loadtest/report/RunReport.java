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
 * @param targets performance targets: reported, never asserted
 * @param criteria pass criteria (reliability runs): a run with one unmet is not correct
 */
public record RunReport(String scenario, String description, Instant started, double wallSeconds,
    @Nullable Environment environment, Ceilings ceilings, List<PhaseResult> phases, List<TableStat> tables,
    List<Integer> relayExitCodes, List<TargetCheck> targets, List<String> notes, List<TargetCheck> criteria) {

  public RunReport {
    phases = List.copyOf(phases);
    tables = List.copyOf(tables);
    relayExitCodes = List.copyOf(relayExitCodes);
    targets = List.copyOf(targets);
    notes = List.copyOf(notes);
    criteria = List.copyOf(criteria);
  }

  /** A load run: targets only, no pass criteria. */
  public RunReport(String scenario, String description, Instant started, double wallSeconds,
      @Nullable Environment environment, Ceilings ceilings, List<PhaseResult> phases, List<TableStat> tables,
      List<Integer> relayExitCodes, List<TargetCheck> targets, List<String> notes) {
    this(scenario, description, started, wallSeconds, environment, ceilings, phases, tables, relayExitCodes, targets,
        notes, List.of());
  }

  /** Every phase correct, every relay stopped cleanly, every pass criterion met. */
  public boolean correct() {
    return phases.stream().allMatch(p -> p.correctness().ok()) && relayExitCodes.stream().allMatch(c -> c == 0)
        && criteria.stream().allMatch(TargetCheck::met);
  }

  public RunReport withTargets(List<TargetCheck> newTargets) {
    return new RunReport(scenario, description, started, wallSeconds, environment, ceilings, phases, tables,
        relayExitCodes, newTargets, notes, criteria);
  }
}
