package dev.relay.webhook.ssrf;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which addresses one endpoint may connect to: every globally routable address, plus the
 * allow-listed networks (the endpoint's and the global ones). Everything else named in
 * {@link SpecialRanges} (loopback, private, link-local, CGNAT, multicast, reserved, documentation,
 * ULA, and IPv6 forms embedding any of these) is refused. Immutable.
 */
public final class AddressPolicy {

  private final List<Cidr> allowed;

  private AddressPolicy(List<Cidr> allowed) {
    this.allowed = allowed;
  }

  /** A policy that opens these networks in addition to the public address space. */
  public static AddressPolicy allowing(List<Cidr> allowed) {
    return new AddressPolicy(List.copyOf(Objects.requireNonNull(allowed, "allowed")));
  }

  /** Why connecting to {@code address} is refused, or empty if it is allowed. */
  public Optional<String> refusal(InetAddress address) {
    for (Cidr cidr : allowed) {
      if (cidr.contains(address)) {
        return Optional.empty();
      }
    }
    String why = SpecialRanges.refusal(address.getAddress());
    return why == null
        ? Optional.empty()
        : Optional.of(NetUtil.toAddressString(address) + " is " + why + ", not in allowed-networks");
  }

  public List<Cidr> allowed() {
    return allowed;
  }

  @Override
  public String toString() {
    return "AddressPolicy[allowed=" + allowed + "]";
  }
}
