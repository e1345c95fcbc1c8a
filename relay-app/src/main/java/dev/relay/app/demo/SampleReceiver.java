package dev.relay.app.demo;

import dev.relay.webhook.signing.WebhookHeaders;
import dev.relay.webhook.signing.WebhookVerificationException;
import dev.relay.webhook.signing.WebhookVerifier;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The demo's webhook receiver on 127.0.0.1: verifies every request's Standard Webhooks signature
 * with relay-webhook's verifier, prints what arrived, and answers 503 to about half of the
 * {@code payment.flaky} events so retries and dead letters show.
 */
public final class SampleReceiver {
  /** Event type the receiver sometimes refuses. */
  public static final String FLAKY_TYPE = "payment.flaky";
  private static final int MAX_TRACKED = 10_000;

  private final WebhookVerifier verifier;
  private final PrintStream out;
  private final double failureRate;
  private final int maxAttempts;
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong badSignatures = new AtomicLong();

  public SampleReceiver(String secret, PrintStream out, double failureRate, int maxAttempts) {
    this.verifier = WebhookVerifier.of(secret);
    this.out = out;
    this.failureRate = failureRate;
    this.maxAttempts = maxAttempts;
  }

  Mono<? extends DisposableServer> start() {
    return start("127.0.0.1", 0);
  }

  /** Listens on {@code host:port}; every {@code POST /<anything>} is verified and printed. */
  public Mono<? extends DisposableServer> start(String host, int port) {
    return HttpServer.create()
        .host(host)
        .port(port)
        .route(r -> r.post("/{endpoint}", this::receive))
        .bind();
  }

  private Mono<Void> receive(HttpServerRequest req, HttpServerResponse res) {
    String endpoint = String.valueOf(req.param("endpoint"));
    return req.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(body -> {
      String id = String.valueOf(req.requestHeaders().get(WebhookHeaders.ID));
      try {
        verifier.verify(req.requestHeaders()::get, body);
      } catch (WebhookVerificationException e) {
        badSignatures.incrementAndGet();
        out.printf("  !  %-7s %-17s %s  REJECTED: %s%n", endpoint, "?", id, e.getMessage());
        return res.status(HttpResponseStatus.UNAUTHORIZED).send().then();
      }
      String json = new String(body, StandardCharsets.UTF_8);
      String type = typeOf(json);
      if (attempts.size() > MAX_TRACKED) {
        attempts.clear();
      }
      int attempt = attempts.computeIfAbsent(endpoint + " " + id, k -> new AtomicInteger()).incrementAndGet();
      if (FLAKY_TYPE.equals(type) && ThreadLocalRandom.current().nextDouble() < failureRate) {
        refused.incrementAndGet();
        out.printf("  x  %-7s %-17s %s  attempt %d -> 503 (%s)%n", endpoint, type, id, attempt,
            attempt >= maxAttempts ? "last attempt: now a dead letter" : "the relay will retry");
        return res.status(HttpResponseStatus.SERVICE_UNAVAILABLE).sendString(Mono.just("try later")).then();
      }
      accepted.incrementAndGet();
      out.printf("  ok %-7s %-17s %s  attempt %d, signature verified  %s%n", endpoint, type, id, attempt,
          abbreviate(json));
      return res.status(HttpResponseStatus.OK).send().then();
    });
  }

  long accepted() {
    return accepted.get();
  }

  long refused() {
    return refused.get();
  }

  long badSignatures() {
    return badSignatures.get();
  }

  private static String typeOf(String json) {
    int i = json.indexOf("\"type\"");
    if (i < 0) {
      return "?";
    }
    int start = json.indexOf('"', json.indexOf(':', i) + 1);
    int end = start < 0 ? -1 : json.indexOf('"', start + 1);
    return start < 0 || end < 0 ? "?" : json.substring(start + 1, end);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
