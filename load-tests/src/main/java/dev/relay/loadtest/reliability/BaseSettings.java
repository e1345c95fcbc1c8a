package dev.relay.loadtest.reliability;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Relay settings every fault scenario starts from: leases and timeouts short enough that a dead
 * relay's rows come back within seconds (the defaults take a minute), and no longer than the
 * configuration's own check allows (lease >= attempt timeout + settle linger + statement timeout
 * + 1 s). Everything else stays at the configuration defaults.
 */
final class BaseSettings {
  static final Map<String, String> SHORT_LEASES = Map.of(
      "delivery.lease", "15s",
      "delivery.attempt-timeout", "5s",
      "webhook.attempt-deadline", "4s",
      "database.statement-timeout", "5s");

  private BaseSettings() {}

  /** The base settings plus a scenario's own (which win). */
  static Map<String, String> with(Map<String, String> own) {
    Map<String, String> all = new LinkedHashMap<>(SHORT_LEASES);
    all.putAll(own);
    return all;
  }
}
