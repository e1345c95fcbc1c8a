package dev.relay.app.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** relay.yaml as written: every section optional here; {@link Assembly} applies the defaults. */
record RelayFile(
    @Valid @Nullable DatabaseSection database,
    @Valid @Nullable DeliverySection delivery,
    @Valid @Nullable WebhookSection webhook,
    @Size(max = 1000, message = "must list at most 1000 endpoints per relay") @Nullable List<@Valid EndpointSection> endpoints,
    @Valid @Nullable AdminSection admin,
    @Valid @Nullable MetricsSection metrics,
    @Valid @Nullable LoggingSection logging,
    @Valid @Nullable TracingSection tracing,
    @Valid @Nullable ShutdownSection shutdown,
    @Valid @Nullable RuntimeEndpointsSection runtimeEndpoints) {}
