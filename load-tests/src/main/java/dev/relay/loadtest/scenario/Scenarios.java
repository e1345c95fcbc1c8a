package dev.relay.loadtest.scenario;

import dev.relay.loadtest.engine.ClaimScheduling;
import dev.relay.loadtest.engine.EngineThroughput;
import dev.relay.loadtest.engine.PublishCost;
import dev.relay.loadtest.footprint.RuntimeEndpointsScenario;
import dev.relay.loadtest.reliability.ReliabilityScenario;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every scenario by name, in --help order. To add one (e.g. an engine-level benchmark under
 * {@code dev.relay.loadtest.engine}), extend {@link DescribedScenario} (or implement {@link
 * Scenario}) and add it to {@link #BUILT_IN}.
 */
public final class Scenarios {
  private static final Map<String, Scenario> BUILT_IN = index(
      DrainScenario.drain(),
      new LatencyScenario(),
      SteadyScenario.steady(),
      DrainScenario.slowReceiver(),
      new MultiScenario(),
      DrainScenario.endpoints(),
      SteadyScenario.soak(),
      new EngineThroughput(),
      new ClaimScheduling(),
      new PublishCost(),
      new RuntimeEndpointsScenario(),
      new ReliabilityScenario());

  private Scenarios() {}

  public static Optional<Scenario> find(String name) {
    return Optional.ofNullable(BUILT_IN.get(name));
  }

  public static Map<String, Scenario> all() {
    return BUILT_IN;
  }

  private static Map<String, Scenario> index(Scenario... scenarios) {
    Map<String, Scenario> m = new LinkedHashMap<>();
    for (Scenario s : scenarios) {
      if (m.put(s.name(), s) != null) {
        throw new IllegalStateException("two scenarios named " + s.name());
      }
    }
    return Collections.unmodifiableMap(m);
  }
}
