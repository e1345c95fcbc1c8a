package dev.relay.app.runtime;

import dev.relay.app.config.RelayConfig;
import io.micrometer.core.instrument.MeterRegistry;

/** Webhook delivery (relay-webhook) for a configuration. */
public final class WebhookTransport {
  private WebhookTransport() {}

  public static Transport create(RelayConfig config, MeterRegistry registry) {
    // Wired to relay-webhook's WebhookDeliverer as soon as that module publishes it.
    throw new IllegalStateException("webhook delivery is not available in this build yet");
  }
}
