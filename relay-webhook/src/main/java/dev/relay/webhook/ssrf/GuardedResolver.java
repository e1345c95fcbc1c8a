package dev.relay.webhook.ssrf;

import io.netty.resolver.AddressResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Resolves like its DNS delegate, then refuses the result unless every address passes the
 * {@link AddressPolicy}. It claims no address is "already resolved", so Reactor Netty's connector
 * routes IP literals through it too (TransportConnector skips resolution for resolved addresses);
 * numeric host spellings are converted here and never sent to DNS.
 */
final class GuardedResolver implements AddressResolver<InetSocketAddress> {

  private final EventExecutor executor;
  private final AddressPolicy policy;
  private final Supplier<? extends AddressResolver<? extends SocketAddress>> dns;

  GuardedResolver(
      EventExecutor executor,
      AddressPolicy policy,
      Supplier<? extends AddressResolver<? extends SocketAddress>> dns) {
    this.executor = executor;
    this.policy = policy;
    this.dns = dns;
  }

  @Override
  public boolean isSupported(SocketAddress address) {
    return address instanceof InetSocketAddress;
  }

  @Override
  public boolean isResolved(SocketAddress address) {
    return false;
  }

  @Override
  public Future<InetSocketAddress> resolve(SocketAddress address) {
    return resolve(address, executor.newPromise());
  }

  @Override
  public Future<InetSocketAddress> resolve(
      SocketAddress address, Promise<InetSocketAddress> promise) {
    resolveAll(address)
        .addListener(
            (Future<List<InetSocketAddress>> all) -> {
              if (all.isSuccess()) {
                promise.trySuccess(all.getNow().get(0));
              } else {
                promise.tryFailure(all.cause());
              }
            });
    return promise;
  }

  @Override
  public Future<List<InetSocketAddress>> resolveAll(SocketAddress address) {
    return resolveAll(address, executor.newPromise());
  }

  @Override
  public Future<List<InetSocketAddress>> resolveAll(
      SocketAddress address, Promise<List<InetSocketAddress>> promise) {
    if (!(address instanceof InetSocketAddress target)) {
      return promise.setFailure(new UnsupportedAddressTypeException());
    }
    try {
      if (!target.isUnresolved()) {
        return complete(promise, target.getHostString(), List.of(target));
      }
      Optional<InetAddress> literal = NumericHost.parse(target.getHostString());
      if (literal.isPresent()) {
        InetSocketAddress resolved = new InetSocketAddress(literal.get(), target.getPort());
        return complete(promise, target.getHostString(), List.of(resolved));
      }
    } catch (SsrfRefusedException e) {
      return promise.setFailure(e);
    }
    @SuppressWarnings("unchecked")
    AddressResolver<SocketAddress> delegate = (AddressResolver<SocketAddress>) dns.get();
    delegate
        .resolveAll(target)
        .addListener(
            (Future<List<SocketAddress>> lookup) -> {
              if (!lookup.isSuccess()) {
                promise.tryFailure(lookup.cause());
                return;
              }
              List<InetSocketAddress> found = new ArrayList<>(lookup.getNow().size());
              for (SocketAddress a : lookup.getNow()) {
                found.add((InetSocketAddress) a);
              }
              complete(promise, target.getHostString(), found);
            });
    return promise;
  }

  /** Succeeds only if every address is allowed: one refused answer refuses the host. */
  private Future<List<InetSocketAddress>> complete(
      Promise<List<InetSocketAddress>> promise, String host, List<InetSocketAddress> addresses) {
    for (InetSocketAddress a : addresses) {
      Optional<String> refusal = policy.refusal(a.getAddress());
      if (refusal.isPresent()) {
        String subject = host.equals(a.getAddress().getHostAddress()) || host.equals(NetUtil.toAddressString(a.getAddress()))
            ? "" : "host '" + Reasons.clip(host) + "' resolved to ";
        promise.tryFailure(new SsrfRefusedException(subject + refusal.get()));
        return promise;
      }
    }
    promise.trySuccess(addresses);
    return promise;
  }

  @Override
  public void close() {
    // The DNS delegate belongs to its own group, which closes it.
  }
}
