package dev.relay.app.config;

import dev.relay.engine.endpoint.OnDeadLetter;

import dev.relay.webhook.config.RateLimit;
import dev.relay.webhook.config.WebhookEndpoint;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One webhook receiver, as configured under {@code endpoints}.
 *
 * @param name unique, stable name; deliveries are keyed by it
 * @param url where deliveries are POSTed (https, or http with {@code allowHttp})
 * @param secrets active signing secrets ({@code whsec_...}); several during rotation, the first
 *     is the newest
 * @param eventTypes event-type patterns such as {@code invoice.*}; empty means every event
 * @param headers extra request headers (values may be credentials; never logged)
 * @param maxInFlight concurrent deliveries to this endpoint; null means {@code
 *     delivery.endpoint-max-in-flight}
 * @param rateLimit optional cap on deliveries per period
 * @param allowedNetworks CIDR blocks this endpoint may resolve to even though the SSRF guard would
 *     refuse them (loopback, private ranges)
 * @param allowHttp whether a plain-http URL is accepted (here or by {@code webhook.allow-http})
 * @param paused configured as paused: deliveries are held until resumed
 * @param onDeadLetter what a dead letter does to later messages with its ordering key
 */
public record EndpointConfig(
    String name,
    URI url,
    List<String> secrets,
    List<String> eventTypes,
    Map<String, String> headers,
    @Nullable Integer maxInFlight,
    @Nullable RateLimit rateLimit,
    List<String> allowedNetworks,
    boolean allowHttp,
    boolean paused,
    OnDeadLetter onDeadLetter) {

  public EndpointConfig {
    Objects.requireNonNull(name, "endpoints[].name");
    String key = "endpoints." + name;
    Objects.requireNonNull(url, key + ".url");
    Objects.requireNonNull(onDeadLetter, key + ".on-dead-letter");
    secrets = List.copyOf(secrets);
    eventTypes = List.copyOf(eventTypes);
    headers = Map.copyOf(headers);
    allowedNetworks = List.copyOf(allowedNetworks);
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException(key + ".secrets must list at least one secret");
    }
    if (maxInFlight != null && maxInFlight < 1) {
      throw new IllegalArgumentException(key + ".max-in-flight must be >= 1, was " + maxInFlight);
    }
  }

  /** What relay-webhook delivers to; {@code defaultMaxInFlight} is {@code delivery.endpoint-max-in-flight}. */
  public WebhookEndpoint toWebhookEndpoint(int defaultMaxInFlight) {
    return new WebhookEndpoint(name, url, secrets, headers, maxInFlight == null ? defaultMaxInFlight : maxInFlight,
        rateLimit, allowedNetworks, allowHttp);
  }

  /** Never prints secrets or header values. */
  @Override
  public String toString() {
    return "EndpointConfig[name=" + name
        + ", url=" + url.getScheme() + "://" + url.getHost() + "/…"
        + ", secrets=" + secrets.size()
        + ", eventTypes=" + eventTypes
        + ", headers=" + headers.keySet().stream().sorted().collect(Collectors.toList())
        + ", maxInFlight=" + maxInFlight
        + ", rateLimit=" + rateLimit
        + ", allowedNetworks=" + allowedNetworks
        + ", allowHttp=" + allowHttp
        + ", paused=" + paused
        + ", onDeadLetter=" + onDeadLetter.key() + "]";
  }
}
