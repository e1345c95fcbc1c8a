package dev.relay.app.config;

import java.util.List;

/**
 * A valid configuration and the warnings met on the way (e.g. a {@code RELAY_*} variable that sets
 * nothing), for {@code check-config} to print and {@code run} to log.
 */
public record LoadedConfig(RelayConfig config, List<String> warnings) {

  public LoadedConfig {
    warnings = List.copyOf(warnings);
  }
}
