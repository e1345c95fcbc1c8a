package dev.relay.app.endpoints;

import dev.relay.engine.db.Sql;
import dev.relay.engine.endpoint.RuntimeEndpoint;
import dev.relay.engine.endpoint.RuntimeEndpoints;
import dev.relay.webhook.config.EndpointSource;
import dev.relay.webhook.config.SourcedEndpoint;
import dev.relay.webhook.config.WebhookEndpoint;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Runtime endpoints as the webhook deliverer takes them: read from the database on first
 * delivery, secrets opened with the relay's keys (or taken as given while not sealed yet). While a
 * rotated-out secret still signs, the copy is valid only until its overlap ends, so the deliverer
 * reads the endpoint again then and stops signing with it.
 */
public final class RuntimeDirectory implements EndpointSource {
  private final RuntimeEndpoints store;
  private final SecretBox box;
  private final int maxInFlight;
  private final boolean ownSeries;

  /**
   * @param maxInFlight each endpoint's bulkhead (delivery.endpoint-max-in-flight)
   * @param ownSeries label each endpoint's metrics with its name rather than {@link Sql#RUNTIME_SERIES}
   */
  public RuntimeDirectory(RuntimeEndpoints store, SecretBox box, int maxInFlight, boolean ownSeries) {
    this.store = store;
    this.box = box;
    this.maxInFlight = maxInFlight;
    this.ownSeries = ownSeries;
  }

  @Override
  public Mono<SourcedEndpoint> find(String name) {
    return store.find(name).map(this::sourced);
  }

  private SourcedEndpoint sourced(RuntimeEndpoint e) {
    List<String> secrets = new ArrayList<>(2);
    secrets.add(secret(e.name(), e.secretPlain(), e.secretSealed()));
    Duration left = e.previousLeft();
    boolean previous = left != null && !left.isZero() && (e.previousPlain() != null || e.previousSealed() != null);
    if (previous) {
      secrets.add(secret(e.name(), e.previousPlain(), e.previousSealed()));
    }
    WebhookEndpoint endpoint;
    try {
      // allow-http here only lets the record hold an http:// URL; whether one may be delivered
      // to is the deliverer's runtime policy (runtime-endpoints.allow-http).
      endpoint = new WebhookEndpoint(e.name(), new URI(e.url()), secrets, Map.of(), maxInFlight, null, List.of(), true);
    } catch (URISyntaxException | IllegalArgumentException x) {
      // Not echoed: a URL may carry a token.
      throw new EndpointSource.Unusable("its url is not one the relay can send to (check it with the admin API "
          + "and change it with relay.update_endpoint)");
    }
    return new SourcedEndpoint(endpoint, e.version(), previous ? left : null,
        ownSeries ? e.name() : Sql.RUNTIME_SERIES);
  }

  private String secret(String endpoint, @Nullable String plain, @Nullable String sealed) {
    if (plain != null) {
      return plain;
    }
    if (sealed == null) {
      throw new IllegalStateException("runtime endpoint '" + endpoint + "' has no signing secret");
    }
    return box.open(endpoint, sealed);
  }
}
