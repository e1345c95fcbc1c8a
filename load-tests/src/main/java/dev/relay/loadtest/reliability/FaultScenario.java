package dev.relay.loadtest.reliability;

import java.util.Map;

/**
 * One reliability scenario: a fault done to running relays, and the criteria that say they came
 * through it. Stateless; {@link #run} does everything in a {@link FaultRun} opened for it.
 */
interface FaultScenario {
  /** The name after {@code reliability}, e.g. {@code kill9}. */
  String name();

  /** One line for --help, with the full sizes it uses by default. */
  String summary();

  /** Its option defaults (the full size); the user's options win. */
  Map<String, String> defaults();

  /** Relay settings it runs with (key path → value), under the user's --relay-set. */
  Map<String, String> relaySettings();

  FaultResult run(FaultRun run) throws Exception;
}
