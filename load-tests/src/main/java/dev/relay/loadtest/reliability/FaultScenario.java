package dev.relay.loadtest.reliability;

import java.util.Map;

/**
 * One reliability scenario: a fault done to running relays, and the criteria that say they came
 * through it. Its name, one-line summary, option defaults (the full size; the user's options win)
 * and relay settings (under the user's --relay-set) are fixed at construction; {@link #run} does
 * everything in a {@link FaultRun} opened for it.
 */
abstract class FaultScenario {
  private final String name;
  private final String summary;
  private final Map<String, String> defaults;
  private final Map<String, String> relaySettings;

  FaultScenario(String name, String summary, Map<String, String> defaults, Map<String, String> relaySettings) {
    this.name = name;
    this.summary = summary;
    this.defaults = Map.copyOf(defaults);
    this.relaySettings = Map.copyOf(relaySettings);
  }

  /** The name after {@code reliability}, e.g. {@code kill9}. */
  final String name() {
    return name;
  }

  /** One line for --help, with the full sizes it uses by default. */
  final String summary() {
    return summary;
  }

  final Map<String, String> defaults() {
    return defaults;
  }

  final Map<String, String> relaySettings() {
    return relaySettings;
  }

  abstract FaultResult run(FaultRun run) throws Exception;
}
