package dev.relay.webhook.ssrf;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
    byte[] bytes = address.getAddress();
    byte[] mapped = ipv4Mapped(bytes);
    for (Cidr cidr : allowed) {
      // An IPv4-mapped IPv6 address is the IPv4 address to the socket layer: same allowance.
      if (cidr.contains(bytes) || (mapped != null && cidr.contains(mapped))) {
        return Optional.empty();
      }
    }
    String why = SpecialRanges.refusal(bytes);
    return why == null
        ? Optional.empty()
        : Optional.of(NetUtil.toAddressString(address) + " is " + why + ", not in allowed-networks");
  }

  private static byte @Nullable [] ipv4Mapped(byte[] address) {
    if (address.length != 16 || address[10] != (byte) 0xff || address[11] != (byte) 0xff) {
      return null;
    }
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return null;
      }
    }
    return new byte[] {address[12], address[13], address[14], address[15]};
  }

  public List<Cidr> allowed() {
    return allowed;
  }

  @Override
  public String toString() {
    return "AddressPolicy[allowed=" + allowed + "]";
  }
}
