package dev.relay.webhook.testing;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS stand-in the test controls: host names map to chosen addresses (any address, private or
 * not, nothing is looked up); unknown names fail. Counts lookups so tests can prove numeric hosts
 * never reach DNS.
 */
public final class MapResolverGroup extends AddressResolverGroup<InetSocketAddress> {

  private final Map<String, List<InetAddress>> names;
  private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();

  public MapResolverGroup(Map<String, List<InetAddress>> names) {
    this.names = Map.copyOf(names);
  }

  public int lookups(String host) {
    AtomicInteger n = lookups.get(host);
    return n == null ? 0 : n.get();
  }

  public int totalLookups() {
    return lookups.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  @Override
  protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
    return new InetNameResolver(executor) {
      @Override
      protected void doResolve(String host, Promise<InetAddress> promise) {
        List<InetAddress> found = find(host);
        if (found == null) {
          promise.setFailure(new UnknownHostException(host));
        } else {
          promise.setSuccess(found.get(0));
        }
      }

      @Override
      protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
        List<InetAddress> found = find(host);
        if (found == null) {
          promise.setFailure(new UnknownHostException(host));
        } else {
          promise.setSuccess(found);
        }
      }
    }.asAddressResolver();
  }

  private List<InetAddress> find(String host) {
    lookups.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
    return names.get(host);
  }

  /** An address from its literal text, without any lookup. */
  public static InetAddress ip(String literal) {
    byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(literal);
    if (bytes == null) {
      throw new IllegalArgumentException(literal);
    }
    try {
      return InetAddress.getByAddress(literal, bytes);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
