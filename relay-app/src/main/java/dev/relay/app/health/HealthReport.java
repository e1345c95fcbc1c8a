package dev.relay.app.health;

import java.util.Map;

/**
 * What {@code /health/ready} and {@code /health/live} answer: {@code status} is {@code ready} or
 * {@code not_ready} ({@code live} or {@code dead}), and every check says why.
 */
public record HealthReport(String status, Map<String, Check> checks) {

  public HealthReport {
    checks = Map.copyOf(checks);
  }

  /** Whether this report answers 200: ready, or live. */
  public boolean ready() {
    return "ready".equals(status) || "live".equals(status);
  }

  /** One readiness condition. */
  public record Check(boolean ok, String detail) {}
}
