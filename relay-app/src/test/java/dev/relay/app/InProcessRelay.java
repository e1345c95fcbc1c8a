package dev.relay.app;

import dev.relay.app.admin.BreakerStates;
import dev.relay.app.runtime.Relay;
import dev.relay.app.runtime.Transport;
import dev.relay.engine.spi.Deliverer;
import dev.relay.engine.testing.TestDatabase;
import java.time.Duration;
import java.util.Objects;

/** A relay in this JVM on the test database, delivering through {@code deliverer} (no HTTP out). */
public final class InProcessRelay {
  private InProcessRelay() {}

  /** {@code endpointsYaml} is the {@code endpoints:} section (may be empty). */
  public static Relay start(TestDatabase db, String endpointsYaml, Deliverer deliverer) {
    String yaml = TestConfigs.database(db.config()) + TestConfigs.FAST_DELIVERY + endpointsYaml;
    return Objects.requireNonNull(Relay.start(TestConfigs.parse(yaml), (c, r, s) -> new Transport() {
      @Override
      public Deliverer deliverer() {
        return deliverer;
      }

      @Override
      public BreakerStates breakers() {
        return name -> "closed";
      }
    }).block(Duration.ofMinutes(1)));
  }
}
