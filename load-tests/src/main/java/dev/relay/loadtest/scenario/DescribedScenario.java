package dev.relay.loadtest.scenario;

import java.util.Map;

/** A scenario's name, one-line summary and option defaults, fixed at construction. */
public abstract class DescribedScenario implements Scenario {
  private final String name;
  private final String summary;
  private final Map<String, String> defaults;

  protected DescribedScenario(String name, String summary, Map<String, String> defaults) {
    this.name = name;
    this.summary = summary;
    this.defaults = Map.copyOf(defaults);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String summary() {
    return summary;
  }

  @Override
  public final Map<String, String> defaults() {
    return defaults;
  }
}
