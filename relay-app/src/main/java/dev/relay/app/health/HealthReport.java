package dev.relay.app.health;

import java.util.Map;

/**
 * What {@code /health/ready} answers: {@code status} is {@code ready} or {@code not_ready}, and
 * every check says why.
 */
public record HealthReport(String status, Map<String, Check> checks) {

  public HealthReport {
    checks = Map.copyOf(checks);
  }

  public boolean ready() {
    return "ready".equals(status);
  }

  /** One readiness condition. */
  public record Check(boolean ok, String detail) {}
}
