package dev.relay.webhook.client;

import dev.relay.webhook.config.WebhookSettings;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** Builds the shared connection pool and the base HTTP client every endpoint derives from. */
public final class ConnectionPools {

  /** How often pools without connections are looked for. */
  private static final Duration INACTIVE_POOL_CHECK = Duration.ofMinutes(1);

  private ConnectionPools() {}

  /**
   * A keep-alive pool sized for the configured concurrency. Reactor Netty's default pool allows
   * only 2 x max(cores, 8) connections per remote (16 on this project's machines): each endpoint
   * gets its own pool (its resolver differs, and the pool key includes it), bounded by the
   * largest endpoint max-in-flight and by {@code webhook.max-connections}. Attempts beyond it
   * wait for a connection, bounded in number and in time (the attempt deadline).
   *
   * @param largestMaxInFlight the largest max-in-flight of any endpoint
   */
  public static ConnectionProvider provider(
      WebhookSettings settings, int largestMaxInFlight, ConnectionProvider.MeterRegistrar metrics) {
    int connections = Math.max(1, Math.min(settings.maxConnections(), largestMaxInFlight));
    return ConnectionProvider.builder("relay-webhook")
        .maxConnections(connections)
        .pendingAcquireMaxCount(Math.max(1, largestMaxInFlight))
        .pendingAcquireTimeout(settings.attemptDeadline())
        .maxIdleTime(settings.poolMaxIdleTime())
        // Endpoints come and go (runtime endpoints): a pool with no connection for a while is
        // disposed, so pools stay bounded by the endpoints in use.
        .disposeInactivePoolsInBackground(INACTIVE_POOL_CHECK, settings.poolMaxIdleTime().plus(INACTIVE_POOL_CHECK))
        .metrics(true, () -> metrics)
        .build();
  }

  /**
   * The base client: no redirects, no hidden retry (Reactor Netty otherwise retries once on a TCP
   * abort), connect timeout, the relay's User-Agent. Deadline and body cap are per attempt, in
   * {@link EndpointClient}.
   */
  public static HttpClient baseClient(ConnectionProvider provider, WebhookSettings settings) {
    return HttpClient.create(provider)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
        .followRedirect(false)
        .disableRetry(true)
        .keepAlive(true)
        .headers(h -> h.set(HttpHeaderNames.USER_AGENT, settings.userAgent()));
  }
}
