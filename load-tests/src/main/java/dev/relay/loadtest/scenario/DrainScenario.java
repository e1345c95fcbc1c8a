package dev.relay.loadtest.scenario;

import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.RunReport;
import dev.relay.loadtest.report.TargetCheck;
import dev.relay.loadtest.run.CeilingRuns;
import dev.relay.loadtest.run.DrainPhase;
import dev.relay.loadtest.run.EndToEnd;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A backlog published while every endpoint is paused, then drained: {@code drain} (one endpoint at
 * defaults), {@code slow-receiver} (every answer delayed) and {@code endpoints} (many endpoints,
 * Zipf traffic) are this scenario with other defaults and targets.
 */
final class DrainScenario extends DescribedScenario {
  private final Function<PhaseResult, List<TargetCheck>> targets;

  DrainScenario(String name, String summary, Map<String, String> defaults,
      Function<PhaseResult, List<TargetCheck>> targets) {
    super(name, summary, defaults);
    this.targets = targets;
  }

  static DrainScenario drain() {
    return new DrainScenario("drain", "backlog (--events 50000 x 1 KiB) published while paused, drained by 1 relay "
        + "at configuration defaults, 1 endpoint", Map.of("events", "50000", "publish-batch", "1000"),
        p -> List.of(Checks.ofLowerCeiling(p, 0.5), Checks.peakRss(p, 512)));
  }

  static DrainScenario slowReceiver() {
    return new DrainScenario("slow-receiver", "drain 20000 while the receiver answers after 20 ms: throughput vs "
        + "concurrency / 20 ms", Map.of("events", "20000", "publish-batch", "1000", "receiver-delay", "20ms"),
        p -> List.of());
  }

  static DrainScenario endpoints() {
    return new DrainScenario("endpoints", "drain 50000 over 1000 endpoints, Zipf-distributed (--zipf 1.0)",
        Map.of("events", "50000", "endpoints", "1000", "publish-batch", "1000"), p -> List.of(Checks.noDuplicates(p)));
  }

  @Override
  public RunReport run(ScenarioContext context) throws Exception {
    var o = context.options();
    String description = String.format(Locale.ROOT, "%,d x %d B published while paused, drained by %d relay(s), "
        + "%,d endpoint(s); receiver %s", o.events(), o.payloadBytes(), o.relays(), o.endpoints(),
        o.receiverDescription());
    RunReport r = EndToEnd.run(context, description,
        bench -> CeilingRuns.throughput(bench, o.events(), o.relays()),
        (bench, fleet) -> List.of(DrainPhase.run(bench, fleet.start(o.relays()), name(), o.events())));
    PhaseResult drain = r.phases().get(0);
    List<TargetCheck> checks = new java.util.ArrayList<>(targets.apply(drain));
    Double bound = r.ceilings().theoreticalHttp();
    if (bound != null) {
      checks.add(Checks.ofCeiling(drain, "concurrency / receiver delay", bound, 0.9));
    }
    return r.withTargets(checks);
  }
}
