package dev.relay.webhook.config;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An endpoint from an {@link EndpointSource}.
 *
 * @param version changes whenever the endpoint does; the deliverer reports what it holds so the
 *     caller can tell which copies are stale
 * @param validFor how long this copy holds (e.g. until a previous signing secret stops signing),
 *     null for as long as it is in use
 * @param metricLabel the {@code endpoint} label of its series (its name, or a shared value that
 *     keeps the number of series bounded); its circuit-breaker gauges are only registered when
 *     the label is its name
 */
public record SourcedEndpoint(WebhookEndpoint endpoint, long version, @Nullable Duration validFor,
    String metricLabel) {

  public SourcedEndpoint {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(metricLabel, "metricLabel");
  }
}
