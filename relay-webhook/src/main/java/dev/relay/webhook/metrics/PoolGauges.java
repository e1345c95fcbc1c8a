package dev.relay.webhook.metrics;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

/**
 * Receives Reactor Netty's per-pool metrics (one pool per endpoint and remote address) and sums
 * them, so the gauges have a fixed set of series whatever the number of pools.
 */
final class PoolGauges implements ConnectionProvider.MeterRegistrar {

  private final Map<String, ConnectionPoolMetrics> pools = new ConcurrentHashMap<>();

  @Override
  public void registerMetrics(
      String poolName, String id, SocketAddress remoteAddress, ConnectionPoolMetrics metrics) {
    pools.put(key(poolName, id, remoteAddress), metrics);
  }

  @Override
  public void deRegisterMetrics(String poolName, String id, SocketAddress remoteAddress) {
    pools.remove(key(poolName, id, remoteAddress));
  }

  double sum(ToIntFunction<ConnectionPoolMetrics> field) {
    long total = 0;
    for (ConnectionPoolMetrics m : pools.values()) {
      total += field.applyAsInt(m);
    }
    return total;
  }

  private static String key(String poolName, String id, SocketAddress remoteAddress) {
    return poolName + '|' + id + '|' + remoteAddress;
  }
}
