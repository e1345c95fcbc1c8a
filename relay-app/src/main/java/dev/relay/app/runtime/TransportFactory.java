package dev.relay.app.runtime;

import dev.relay.app.config.RelayConfig;
import io.micrometer.core.instrument.MeterRegistry;

/** Builds the {@link Transport} for a configuration. */
@FunctionalInterface
public interface TransportFactory {
  Transport create(RelayConfig config, MeterRegistry registry);
}
