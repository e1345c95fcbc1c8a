package dev.relay.app.config;

import java.time.Duration;
import java.util.List;

/**
 * Endpoints managed at runtime ({@code runtime-endpoints}).
 *
 * @param encryptionKeys AES-256 keys (32 bytes each) that seal their signing secrets at rest; the
 *     first seals, all open. None: this relay does not serve runtime endpoints (and the admin API
 *     cannot create them)
 * @param secretOverlap how long a rotated-out secret keeps signing beside the new one, for the
 *     admin API's rotation (default 24 h; the SQL function takes its own argument, same default)
 * @param idleTimeout a runtime endpoint's in-memory state (signer, breaker, client) is dropped
 *     after this long without deliveries (default 10 min)
 * @param metricsPerEndpoint give each runtime endpoint its own metric series (default false:
 *     they share the series labelled {@code endpoint="_runtime"})
 * @param allowedNetworks CIDR blocks runtime endpoints may reach despite the SSRF guard (default
 *     none). Never {@code webhook.allowed-networks}: those are for the configured receivers, and
 *     runtime URLs are chosen by the application's users
 * @param allowHttp accept {@code http://} URLs for runtime endpoints (default false; never {@code
 *     webhook.allow-http})
 */
public record RuntimeEndpointsConfig(List<byte[]> encryptionKeys, Duration secretOverlap, Duration idleTimeout,
    boolean metricsPerEndpoint, List<String> allowedNetworks, boolean allowHttp) {

  public static final RuntimeEndpointsConfig DEFAULT =
      new RuntimeEndpointsConfig(List.of(), Duration.ofHours(24), Duration.ofMinutes(10), false, List.of(), false);

  public RuntimeEndpointsConfig {
    encryptionKeys = List.copyOf(encryptionKeys);
    allowedNetworks = List.copyOf(allowedNetworks);
  }

  /** Whether this relay serves runtime endpoints (it has a key). */
  public boolean enabled() {
    return !encryptionKeys.isEmpty();
  }

  @Override
  public String toString() {
    return "RuntimeEndpointsConfig[encryptionKeys=" + encryptionKeys.size() + " (not shown), secretOverlap="
        + secretOverlap + ", idleTimeout=" + idleTimeout + ", metricsPerEndpoint=" + metricsPerEndpoint
        + ", allowedNetworks=" + allowedNetworks + ", allowHttp=" + allowHttp + "]";
  }
}
