package dev.relay.loadtest.receiver;

import dev.relay.webhook.signing.WebhookHeaders;
import dev.relay.webhook.signing.WebhookVerifier;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/** One POST: bound the body, verify the signature, then answer as the current behaviour says. */
final class RequestHandler {
  private final WebhookVerifier verifier;
  private final int maxBodyBytes;
  private final Counters counters;
  private final Supplier<Behaviour> behaviour;
  private final Supplier<ArrivalListener> listener;

  RequestHandler(WebhookVerifier verifier, int maxBodyBytes, Counters counters, Supplier<Behaviour> behaviour,
      Supplier<ArrivalListener> listener) {
    this.verifier = verifier;
    this.maxBodyBytes = maxBodyBytes;
    this.counters = counters;
    this.behaviour = behaviour;
    this.listener = listener;
  }

  Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res) {
    counters.requests.increment();
    String length = req.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
    if (length == null) {
      counters.malformed.increment();
      return res.status(411).send();
    }
    long declared = parseLength(length);
    if (declared < 0 || declared > maxBodyBytes) {
      counters.malformed.increment();
      return res.status(413).send();
    }
    return req.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
        .flatMap(body -> respond(req, res, body, System.nanoTime()));
  }

  private Mono<Void> respond(HttpServerRequest req, HttpServerResponse res, byte[] body, long arrivalNanos) {
    if (!verifier.isValid(req.requestHeaders()::get, body)) {
      counters.badSignatures.increment();
      return res.status(401).send().then();
    }
    Behaviour b = behaviour.get();
    Behaviour.Reaction reaction = b.decide(ThreadLocalRandom.current());
    Mono<Void> answer = switch (reaction) {
      case HANG -> hang();
      case RESET -> reset(res);
      case ERROR -> error(res, b.errorStatus());
      case ANSWER -> accept(req, res, body, arrivalNanos);
    };
    return b.delay().isZero() ? answer : Mono.delay(b.delay()).then(answer);
  }

  private Mono<Void> accept(HttpServerRequest req, HttpServerResponse res, byte[] body, long arrivalNanos) {
    return Mono.defer(() -> {
      String id = String.valueOf(req.requestHeaders().get(WebhookHeaders.ID));
      String path = req.path();
      listener.get().onArrival(new Arrival(path, id, arrivalNanos, PublishedAt.read(body), body.length));
      counters.accepted.increment();
      return res.status(200).send().then();
    });
  }

  private Mono<Void> error(HttpServerResponse res, int status) {
    return Mono.defer(() -> {
      counters.errorsAnswered.increment();
      return res.status(status).send().then();
    });
  }

  /** SO_LINGER 0 then close: the kernel sends RST instead of FIN. */
  private Mono<Void> reset(HttpServerResponse res) {
    return Mono.defer(() -> {
      counters.resets.increment();
      res.withConnection(c -> {
        c.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        c.channel().close();
      });
      return Mono.never();
    });
  }

  /** Never answered; the handler is cancelled when the sender gives up and closes the connection. */
  private Mono<Void> hang() {
    return Mono.defer(() -> {
      counters.hung.increment();
      return Mono.never();
    });
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
