package dev.relay.app;

import dev.relay.webhook.signing.WebhookHeaders;
import dev.relay.webhook.signing.WebhookVerificationException;
import dev.relay.webhook.signing.WebhookVerifier;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** A real HTTP receiver for tests: checks every Standard Webhooks signature and records event ids per path. */
public final class VerifyingReceiver implements AutoCloseable {
  private final WebhookVerifier verifier;
  private final Duration delay;
  private final DisposableServer server;
  private final Map<String, Set<String>> received = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger badSignatures = new AtomicInteger();

  public VerifyingReceiver(String secret, Duration delay) {
    this.verifier = WebhookVerifier.of(secret);
    this.delay = delay;
    this.server = Objects.requireNonNull(HttpServer.create().host("127.0.0.1").port(0)
        .route(r -> r.post("/{path}", (req, res) -> req.receive().aggregate().asByteArray()
            .defaultIfEmpty(new byte[0])
            .flatMap(body -> {
              requests.incrementAndGet();
              try {
                verifier.verify(req.requestHeaders()::get, body);
              } catch (WebhookVerificationException e) {
                badSignatures.incrementAndGet();
                return res.status(401).send().then();
              }
              String id = String.valueOf(req.requestHeaders().get(WebhookHeaders.ID));
              return Mono.delay(delay).then(Mono.fromRunnable(() -> received
                  .computeIfAbsent(String.valueOf(req.param("path")), k -> ConcurrentHashMap.newKeySet()).add(id)))
                  .then(res.status(200).send().then());
            })))
        .bindNow());
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.port() + "/" + path;
  }

  public Set<String> received(String path) {
    return received.getOrDefault(path, Set.of());
  }

  public int requests() {
    return requests.get();
  }

  public int badSignatures() {
    return badSignatures.get();
  }

  @Override
  public void close() {
    server.disposeNow();
  }
}
