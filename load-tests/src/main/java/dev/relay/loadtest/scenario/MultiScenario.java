package dev.relay.loadtest.scenario;

import dev.relay.loadtest.process.RelayCluster;
import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.RunReport;
import dev.relay.loadtest.report.TargetCheck;
import dev.relay.loadtest.run.CeilingRuns;
import dev.relay.loadtest.run.DrainPhase;
import dev.relay.loadtest.run.EndToEnd;
import dev.relay.loadtest.run.Fleet;
import dev.relay.loadtest.run.Workbench;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** multi: several relays drain one backlog together (no duplicates), against one relay alone. */
final class MultiScenario extends DescribedScenario {
  MultiScenario() {
    super("multi", "3 relays drain 50000 together: no duplicates; throughput vs 1 relay (--compare-single)",
        Map.of("events", "50000", "relays", "3", "compare-single", "true", "publish-batch", "1000"));
  }

  @Override
  public RunReport run(ScenarioContext context) throws Exception {
    var o = context.options();
    String description = String.format(Locale.ROOT, "%,d x %d B drained by %d relays together%s", o.events(),
        o.payloadBytes(), o.relays(), o.compareSingle() ? ", and by 1 relay alone" : "");
    RunReport r = EndToEnd.run(context, description,
        bench -> CeilingRuns.throughput(bench, o.events(), o.relays()), this::phases);
    PhaseResult together = r.phases().get(r.phases().size() - 1);
    List<TargetCheck> targets = new ArrayList<>();
    targets.add(Checks.noDuplicates(together));
    if (r.phases().size() > 1) {
      PhaseResult alone = r.phases().get(0);
      double ratio = alone.throughput() <= 0 ? 0 : together.throughput() / alone.throughput();
      targets.add(new TargetCheck(together.name() + " faster than 1 relay", String.format(Locale.ROOT,
          "%.2fx (%,.0f/s vs %,.0f/s)", ratio, together.throughput(), alone.throughput()), ratio > 1));
    }
    return r.withTargets(targets);
  }

  private List<PhaseResult> phases(Workbench bench, Fleet fleet) throws Exception {
    var o = bench.options();
    List<PhaseResult> phases = new ArrayList<>();
    if (o.compareSingle()) {
      RelayCluster one = fleet.start(1);
      phases.add(DrainPhase.run(bench, one, "multi: 1 relay", o.events()));
      fleet.stop(one);
    }
    phases.add(DrainPhase.run(bench, fleet.start(o.relays()), "multi: " + o.relays() + " relays", o.events()));
    return phases;
  }
}
