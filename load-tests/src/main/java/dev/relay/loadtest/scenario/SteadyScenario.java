package dev.relay.loadtest.scenario;

import dev.relay.loadtest.process.RelayCluster;
import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.RunReport;
import dev.relay.loadtest.report.TargetCheck;
import dev.relay.loadtest.run.CeilingRuns;
import dev.relay.loadtest.run.EndToEnd;
import dev.relay.loadtest.run.OpenLoopPhase;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Open-loop rates, one phase each, on the same relays: {@code steady} (500/s and 2000/s for 60 s:
 * no growing backlog, p99) and {@code soak} (one rate for 30 minutes: memory, latency and dead
 * tuples stay flat).
 */
final class SteadyScenario extends DescribedScenario {
  private final boolean soak;

  private SteadyScenario(String name, String summary, Map<String, String> defaults, boolean soak) {
    super(name, summary, defaults);
    this.soak = soak;
  }

  static SteadyScenario steady() {
    return new SteadyScenario("steady", "open loop at --rates 500,2000 events/s for --duration 60s each "
        + "(target at 2000/s: no growing backlog, p99 <= 50 ms)",
        Map.of("rates", "500,2000", "duration", "60s", "ceiling-events", "20000"), false);
  }

  static SteadyScenario soak() {
    return new SteadyScenario("soak", "open loop at 500/s for 30m: RSS, latency and dead tuples stay flat",
        Map.of("rates", "500", "duration", "30m", "sample-interval", "5s", "ceiling-events", "20000"), true);
  }

  @Override
  public RunReport run(ScenarioContext context) throws Exception {
    var o = context.options();
    String rates = o.rates().stream().map(r -> String.format(Locale.ROOT, "%,.0f/s", r)).collect(Collectors.joining(", "));
    RunReport r = EndToEnd.run(context, String.format(Locale.ROOT, "open loop at %s for %d s each, %d relay(s)",
            rates, o.duration().toSeconds(), o.relays()),
        bench -> CeilingRuns.throughput(bench, Math.round(o.rates().get(0) * o.duration().toSeconds()), o.relays()),
        (bench, fleet) -> {
          RelayCluster cluster = fleet.start(o.relays());
          List<PhaseResult> phases = new ArrayList<>();
          for (double rate : o.rates()) {
            phases.add(OpenLoopPhase.run(bench, cluster, String.format(Locale.ROOT, "%s %.0f/s", name(), rate), rate,
                o.duration()));
          }
          return phases;
        });
    List<TargetCheck> targets = new ArrayList<>();
    for (int i = 0; i < r.phases().size(); i++) {
      PhaseResult p = r.phases().get(i);
      double rate = o.rates().get(i);
      if (soak) {
        targets.add(Checks.flat(p, "RSS", s -> s.rssMiB(), 1.1, 16, "MiB"));
        targets.add(Checks.flat(p, "p99 latency", s -> s.p99(), 2, 5, "ms"));
        targets.add(Checks.flat(p, "dead tuples", s -> s.deadTuples(), 2, 10_000, "tuples"));
      } else if (rate >= 2000) {
        targets.add(Checks.noGrowingBacklog(p, rate));
        targets.add(Checks.latency(p, "p99", p.latency().p99(), 50));
      }
    }
    return r.withTargets(targets);
  }
}
