package dev.relay.loadtest.scenario;

import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.RunReport;
import dev.relay.loadtest.run.CeilingRuns;
import dev.relay.loadtest.run.EndToEnd;
import dev.relay.loadtest.run.RoundTripPhase;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** latency: sequential publish → arrival round trips on an idle relay (NOTIFY, not polling). */
final class LatencyScenario extends DescribedScenario {
  LatencyScenario() {
    super("latency", "1000 sequential publish -> arrival round trips on an idle relay (targets p50 <= 3 ms, "
        + "p99 <= 10 ms)", Map.of("events", "1000"));
  }

  @Override
  public RunReport run(ScenarioContext context) throws Exception {
    var o = context.options();
    int n = Math.toIntExact(o.events());
    int floors = Math.toIntExact(o.ceilingEvents() > 0 ? o.ceilingEvents() : Math.min(n, 1000));
    RunReport r = EndToEnd.run(context, String.format(Locale.ROOT, "%,d sequential round trips", n),
        bench -> CeilingRuns.roundTrips(bench, floors),
        (bench, fleet) -> List.of(RoundTripPhase.run(bench, fleet.start(o.relays()), "latency", n)));
    PhaseResult p = r.phases().get(0);
    return r.withTargets(List.of(Checks.latency(p, "p50", p.latency().p50(), 3),
        Checks.latency(p, "p99", p.latency().p99(), 10)));
  }
}
