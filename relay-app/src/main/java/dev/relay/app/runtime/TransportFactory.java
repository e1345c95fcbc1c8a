package dev.relay.app.runtime;

import dev.relay.app.config.RelayConfig;
import dev.relay.webhook.config.EndpointSource;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

/** Builds the {@link Transport} for a configuration. */
@FunctionalInterface
public interface TransportFactory {

  /**
   * @param runtime where endpoints managed at runtime are found; null when this relay does not
   *     serve them
   */
  Transport create(RelayConfig config, MeterRegistry registry, @Nullable EndpointSource runtime);
}
