package dev.relay.webhook.ssrf;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Supplier;

/**
 * Hands Reactor Netty a {@link GuardedResolver} per event loop. The delegate group (DNS) is only
 * asked for a resolver when a real host name must be looked up, and is not owned: closing this
 * group leaves it open.
 */
final class GuardedResolverGroup extends AddressResolverGroup<InetSocketAddress> {

  private final AddressPolicy policy;
  private final Supplier<? extends AddressResolverGroup<? extends SocketAddress>> dns;

  GuardedResolverGroup(
      AddressPolicy policy, Supplier<? extends AddressResolverGroup<? extends SocketAddress>> dns) {
    this.policy = policy;
    this.dns = dns;
  }

  @Override
  protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
    return new GuardedResolver(executor, policy, () -> dns.get().getResolver(executor));
  }
}
