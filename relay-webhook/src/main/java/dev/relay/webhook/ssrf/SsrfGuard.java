package dev.relay.webhook.ssrf;

import io.netty.channel.Channel;
import io.netty.resolver.AddressResolverGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The SSRF guard of one endpoint. It refuses in three places, all before a connection exists:
 *
 * <ol>
 *   <li>{@link #refusalForHost(String)}: a URL host that is an address in any spelling is checked
 *       before the attempt starts (no channel is created);
 *   <li>{@link #resolverGroup(Supplier)}: host names are checked after DNS resolution, on the
 *       addresses Reactor Netty will connect to;
 *   <li>{@link #installConnectCheck(Channel)}: the socket address of every new connection is
 *       checked again at {@code connect}, whatever produced it.
 * </ol>
 *
 * Refusals are {@link SsrfRefusedException}s whose message is the operator-facing reason.
 */
public final class SsrfGuard {

  private final AddressPolicy policy;
  private final ConnectGuard connectGuard;

  private SsrfGuard(AddressPolicy policy) {
    this.policy = policy;
    this.connectGuard = new ConnectGuard(policy);
  }

  public static SsrfGuard of(AddressPolicy policy) {
    return new SsrfGuard(Objects.requireNonNull(policy, "policy"));
  }

  /**
   * Why a URL host that is an IP address (any spelling, e.g. {@code 0x7f.1} or {@code
   * [::ffff:10.0.0.1]}) is refused; empty for allowed addresses and for host names, which are
   * checked after resolution.
   */
  public Optional<String> refusalForHost(String host) {
    Optional<InetAddress> address;
    try {
      address = NumericHost.parse(host);
    } catch (SsrfRefusedException e) {
      return Optional.of(e.getMessage());
    }
    return address.flatMap(policy::refusal);
  }

  /** A resolver group that resolves through {@code dns} and refuses disallowed results. */
  public AddressResolverGroup<InetSocketAddress> resolverGroup(
      Supplier<? extends AddressResolverGroup<? extends SocketAddress>> dns) {
    return new GuardedResolverGroup(policy, dns);
  }

  /** Adds the connect-time check at the head of a new channel's pipeline. */
  public void installConnectCheck(Channel channel) {
    if (channel.pipeline().get(ConnectGuard.NAME) == null) {
      channel.pipeline().addFirst(ConnectGuard.NAME, connectGuard);
    }
  }

  /** Throws {@link SsrfRefusedException} with this reason (for callers outside the package). */
  public static SsrfRefusedException refused(String reason) {
    return new SsrfRefusedException(reason);
  }

  public AddressPolicy policy() {
    return policy;
  }
}
