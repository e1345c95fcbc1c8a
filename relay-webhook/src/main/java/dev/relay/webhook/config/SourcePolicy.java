package dev.relay.webhook.config;

import dev.relay.webhook.ssrf.Cidr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a deliverer treats the endpoints of an {@link EndpointSource} (endpoints managed at runtime,
 * whose URLs the application's users may choose). They get none of the configured endpoints'
 * network exceptions: only these, by default none, so a customer's URL can never reach the
 * private networks an operator opened for an internal receiver.
 *
 * @param idle how long an endpoint without deliveries is held
 * @param maxInFlight each endpoint's bulkhead (the pools are sized for it)
 * @param allowedNetworks CIDR blocks these endpoints may reach despite the SSRF guard
 * @param allowHttp whether an {@code http://} URL may be delivered to
 */
public record SourcePolicy(Duration idle, int maxInFlight, List<String> allowedNetworks, boolean allowHttp) {

  public SourcePolicy {
    Objects.requireNonNull(idle, "idle");
    Checks.atLeast("runtime-endpoints max-in-flight", 1, maxInFlight);
    allowedNetworks = List.copyOf(allowedNetworks);
    for (int i = 0; i < allowedNetworks.size(); i++) {
      Cidr.parse("runtime-endpoints.allowed-networks[" + i + "]", allowedNetworks.get(i));
    }
  }

  /** The allow-list, parsed. */
  public List<Cidr> allowedCidrs() {
    List<Cidr> out = new ArrayList<>(allowedNetworks.size());
    for (int i = 0; i < allowedNetworks.size(); i++) {
      out.add(Cidr.parse("runtime-endpoints.allowed-networks[" + i + "]", allowedNetworks.get(i)));
    }
    return out;
  }
}
