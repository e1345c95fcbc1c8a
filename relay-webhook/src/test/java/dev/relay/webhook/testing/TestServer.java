package dev.relay.webhook.testing;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real HTTP server on 127.0.0.1 and a random port. Counts TCP connections and records every
 * request (headers and body) before handing it to the test's handler.
 */
public final class TestServer implements AutoCloseable {

  /** One request as the server saw it. */
  public record Captured(String method, String path, HttpHeaders headers, String body) {}

  /** Answers a request whose body was already read. */
  @FunctionalInterface
  public interface Handler {
    Publisher<Void> handle(Captured request, HttpServerResponse response);
  }

  private final DisposableServer server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger closedConnections = new AtomicInteger();
  private final List<Captured> requests = new CopyOnWriteArrayList<>();

  private TestServer(Handler handler) {
    BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> route =
        (req, res) ->
            req.receive()
                .aggregate()
                .asString()
                .defaultIfEmpty("")
                .flatMap(
                    body -> {
                      HttpHeaders copy = new DefaultHttpHeaders().set(req.requestHeaders());
                      Captured c = new Captured(req.method().name(), req.uri(), copy, body);
                      requests.add(c);
                      return Mono.from(handler.handle(c, res));
                    });
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            // Per TCP connection (doOnConnection would fire per request on keep-alive).
            .doOnChannelInit(
                (observer, channel, remote) -> {
                  connections.incrementAndGet();
                  channel.closeFuture().addListener(f -> closedConnections.incrementAndGet());
                })
            .handle(route)
            .bindNow();
  }

  public static TestServer start(Handler handler) {
    return new TestServer(handler);
  }

  public int port() {
    return server.port();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** TCP connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Accepted connections that have since closed. */
  public int closedConnections() {
    return closedConnections.get();
  }

  public List<Captured> requests() {
    return requests;
  }

  @Override
  public void close() {
    server.disposeNow();
  }
}
