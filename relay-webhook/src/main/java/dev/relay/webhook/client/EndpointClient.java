package dev.relay.webhook.client;

import dev.relay.engine.time.Deadlines;
import dev.relay.webhook.ssrf.SsrfGuard;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.resolver.AddressResolverGroup;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * Sends one POST to one endpoint and reports what came back. The whole attempt, connection
 * acquisition to last body byte, is bounded by the deadline ({@code responseTimeout} alone would
 * only bound each read). The body is read up to the cap; beyond it the inbound is cancelled, which
 * makes Reactor Netty close the connection instead of returning it to the pool, so a huge or
 * endless body neither fills memory nor leaks a pooled connection.
 */
public final class EndpointClient {

  /** Body bytes kept for the operator-facing reason and the attempt history (Exchange.MAX_EXCERPT_CHARS). */
  public static final int KEPT_BODY_BYTES = 1024;

  /** The longest the body is read after the status arrived; past it the reply is what was read. */
  public static final Duration BODY_WAIT = Duration.ofSeconds(1);

  private static final Object STATUS_ARRIVED = new Object();

  private final HttpClient client;
  private final String url;
  private final Duration deadline;
  private final long maxResponseBytes;

  private EndpointClient(HttpClient client, String url, Duration deadline, long maxResponseBytes) {
    this.client = client;
    this.url = url;
    this.deadline = deadline;
    this.maxResponseBytes = maxResponseBytes;
  }

  /**
   * A client for one endpoint URL, guarded by {@code guard}. Its resolver differs from every other
   * endpoint's, so Reactor Netty keys a separate connection pool for it: a connection opened under
   * one endpoint's allow-list is never reused by another endpoint.
   */
  public static EndpointClient create(
      HttpClient base,
      SsrfGuard guard,
      Supplier<? extends AddressResolverGroup<? extends SocketAddress>> dns,
      String url,
      Duration deadline,
      long maxResponseBytes) {
    return of(guarded(base, guard, dns), url, deadline, maxResponseBytes);
  }

  /**
   * The base client behind {@code guard}: its resolver and connect check. Endpoints that share
   * one allow-list share one such client (and its connection pools, keyed by host).
   */
  public static HttpClient guarded(
      HttpClient base, SsrfGuard guard, Supplier<? extends AddressResolverGroup<? extends SocketAddress>> dns) {
    return base.resolver(guard.resolverGroup(dns))
        .doOnChannelInit((observer, channel, remote) -> guard.installConnectCheck(channel));
  }

  /** A client for one endpoint URL over a {@link #guarded} client. */
  public static EndpointClient of(HttpClient guarded, String url, Duration deadline, long maxResponseBytes) {
    return new EndpointClient(guarded, url, deadline, maxResponseBytes);
  }

  /**
   * POSTs {@code body} with {@code headers} (set in iteration order, later ones win). The status
   * decides the outcome: the deadline bounds the wait for it (connection, request, status line and
   * headers), and the body is then read for at most {@link #BODY_WAIT}, best effort (it only feeds
   * the operator's error text). A body that is slower than that is cut off with its connection;
   * the reply keeps its status.
   *
   * @return the reply; errors for transport failures, {@link DeadlineExceededException} when the
   *     deadline passes before the status arrives, {@code SsrfRefusedException} when the guard
   *     refuses the address
   */
  public Mono<HttpReply> post(Map<String, String> headers, byte[] body) {
    Flux<Object> attempt =
        client
            .post()
            .uri(url)
            .send(
                (request, out) -> {
                  headers.forEach(request.requestHeaders()::set);
                  request.requestHeaders().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                  return out.sendByteArray(Mono.just(body));
                })
            .response((response, content) -> Flux.concat(Mono.just(STATUS_ARRIVED), read(response, content)));
    // Only the first item (the status has arrived) is bounded by the deadline; the body read
    // bounds itself.
    return attempt
        .timeout(Mono.delay(deadline, Deadlines.wheel()), item -> Mono.never(), Mono.error(() -> new DeadlineExceededException(deadline)))
        .ofType(HttpReply.class)
        .next();
  }

  private Mono<HttpReply> read(HttpClientResponse response, ByteBufFlux body) {
    CappedBody capped =
        new CappedBody(maxResponseBytes, (int) Math.min(maxResponseBytes, KEPT_BODY_BYTES));
    // BODY_WAIT bounds the whole read, not the gap between chunks: a body dripping a byte at a
    // time would otherwise keep the attempt open past the delivery's attempt timeout, which then
    // records a failure for a receiver that answered 2xx (and the delivery is sent again).
    return Deadlines.within(body.doOnNext(capped::add).takeUntil(chunk -> capped.overCap()), BODY_WAIT,
            Deadlines.wheel(), TimeoutException::new)
        .onErrorResume(TimeoutException.class, e -> {
          // Cancelling the inbound closes the connection instead of pooling it mid-body.
          capped.stopEarly();
          return Mono.empty();
        })
        .then(
            Mono.fromSupplier(
                () ->
                    new HttpReply(
                        response.status().code(),
                        response.responseHeaders().get(HttpHeaderNames.RETRY_AFTER),
                        response.responseHeaders().get(HttpHeaderNames.LOCATION),
                        capped.start(),
                        capped.bytesRead(),
                        capped.stoppedEarly())));
  }

  @Override
  public String toString() {
    return "EndpointClient[" + url + "]";
  }
}
