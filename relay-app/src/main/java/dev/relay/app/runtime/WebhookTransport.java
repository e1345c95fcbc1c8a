package dev.relay.app.runtime;

import dev.relay.app.admin.BreakerStates;
import dev.relay.app.config.RelayConfig;
import dev.relay.engine.spi.Deliverer;
import dev.relay.webhook.WebhookDeliverer;
import dev.relay.webhook.resilience.BreakerState;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

/** Webhook delivery through relay-webhook's {@link WebhookDeliverer}. */
public final class WebhookTransport implements Transport {
  private final WebhookDeliverer deliverer;

  private WebhookTransport(WebhookDeliverer deliverer) {
    this.deliverer = deliverer;
  }

  public static Transport create(RelayConfig config, MeterRegistry registry) {
    return new WebhookTransport(WebhookDeliverer.create(config.webhook(), config.webhookEndpoints(), registry));
  }

  @Override
  public Deliverer deliverer() {
    return deliverer;
  }

  @Override
  public BreakerStates breakers() {
    return name -> deliverer.breakerState(name).map(BreakerState::tag).orElse(null);
  }

  @Override
  public Mono<Void> close() {
    return deliverer.disposeLater();
  }
}
