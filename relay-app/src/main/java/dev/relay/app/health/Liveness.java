package dev.relay.app.health;

import dev.relay.engine.EngineHealth;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Live means the delivery pipeline has not died: once the engine reports it is not running while
 * the relay is not shutting down (an {@code Error} in the pipeline ended it), {@code /health/live}
 * answers 503 with the engine's reason, so the orchestrator restarts the process instead of
 * keeping a relay that answers 200 and delivers nothing.
 */
public final class Liveness {
  private final Supplier<EngineHealth> engine;
  private final BooleanSupplier draining;

  public Liveness(Supplier<EngineHealth> engine, BooleanSupplier draining) {
    this.engine = engine;
    this.draining = draining;
  }

  public HealthReport check() {
    EngineHealth health = engine.get();
    if (health.running() || draining.getAsBoolean()) {
      return new HealthReport("live", Map.of());
    }
    return new HealthReport("dead", Map.of("delivery", new HealthReport.Check(false,
        "the delivery pipeline stopped: " + health.detail() + "; restart the relay")));
  }
}
