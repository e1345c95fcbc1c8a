package dev.relay.app.endpoints;

import dev.relay.webhook.signing.WebhookHeaders;
import dev.relay.webhook.signing.WebhookVerifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** Accepts every POST and keeps it (path, webhook headers, body), for tests that verify signatures themselves. */
final class RecordingReceiver implements AutoCloseable {
  record Request(String path, String id, String timestamp, String signatures, String body) {
    boolean signedBy(String secret) {
      return WebhookVerifier.of(secret).isValid(name -> switch (name) {
        case WebhookHeaders.ID -> id;
        case WebhookHeaders.TIMESTAMP -> timestamp;
        case WebhookHeaders.SIGNATURE -> signatures;
        default -> null;
      }, body.getBytes(StandardCharsets.UTF_8));
    }
  }

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final DisposableServer server = Objects.requireNonNull(HttpServer.create().host("127.0.0.1").port(0)
      .route(r -> r.post("/{path}", (req, res) -> req.receive().aggregate().asString().defaultIfEmpty("")
          .flatMap(body -> {
            requests.add(new Request(String.valueOf(req.param("path")),
                String.valueOf(req.requestHeaders().get(WebhookHeaders.ID)),
                String.valueOf(req.requestHeaders().get(WebhookHeaders.TIMESTAMP)),
                String.valueOf(req.requestHeaders().get(WebhookHeaders.SIGNATURE)), body));
            return res.status(200).send().then();
          })))
      .bindNow());

  String url(String path) {
    return "http://127.0.0.1:" + server.port() + "/" + path;
  }

  List<Request> to(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  List<String> ids(String path) {
    return to(path).stream().map(Request::id).toList();
  }

  @Override
  public void close() {
    server.disposeNow();
  }
}
