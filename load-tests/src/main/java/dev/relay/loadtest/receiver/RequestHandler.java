package dev.relay.loadtest.receiver;

import dev.relay.webhook.signing.WebhookHeaders;
import dev.relay.webhook.signing.WebhookVerifier;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/** One POST: bound the body, verify the signature, then answer as the current behaviour says. */
final class RequestHandler {
  private final WebhookVerifier verifier;
  private final int maxBodyBytes;
  private final Counters counters;
  private final Function<String, Behaviour> behaviour;
  private final Supplier<ArrivalListener> listener;
  /** Body bytes of a dripped answer. */
  private static final int DRIP_CHUNKS = 10;

  RequestHandler(WebhookVerifier verifier, int maxBodyBytes, Counters counters, Function<String, Behaviour> behaviour,
      Supplier<ArrivalListener> listener) {
    this.verifier = verifier;
    this.maxBodyBytes = maxBodyBytes;
    this.counters = counters;
    this.behaviour = behaviour;
    this.listener = listener;
  }

  Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res) {
    String path = req.path();
    counters.started(path);
    return Mono.from(answer(req, res)).doFinally(signal -> counters.ended(path));
  }

  private Publisher<Void> answer(HttpServerRequest req, HttpServerResponse res) {
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
    Behaviour b = behaviour.apply(req.path());
    Behaviour.Decision decision = b.decide(ThreadLocalRandom.current());
    Reply reply = new Reply(req.path(), String.valueOf(req.requestHeaders().get(WebhookHeaders.ID)),
        switch (decision.reaction()) {
          case HANG -> Reply.HANG;
          case RESET -> Reply.RESET;
          default -> decision.status();
        }, decision.reaction() == Behaviour.Reaction.DRIP);
    Mono<Void> answer = switch (decision.reaction()) {
      case HANG -> hang();
      case RESET -> reset(res);
      case ERROR -> error(res, decision.status());
      case ANSWER -> accept(res, reply, body, arrivalNanos, Duration.ZERO);
      case DRIP -> accept(res, reply, body, arrivalNanos, b.dripTime());
    };
    Mono<Void> told = Mono.fromRunnable(() -> listener.get().onReply(reply)).then(answer);
    return b.delay().isZero() ? told : Mono.delay(b.delay()).then(told);
  }

  /** 200; with a drip time, the headers at once and the body's {@value #DRIP_CHUNKS} bytes spread over it. */
  private Mono<Void> accept(HttpServerResponse res, Reply reply, byte[] body, long arrivalNanos, Duration drip) {
    return Mono.defer(() -> {
      listener.get().onArrival(new Arrival(reply.path(), reply.webhookId(), arrivalNanos, PublishedAt.read(body),
          body.length));
      counters.accepted.increment();
      if (drip.isZero()) {
        return res.status(200).send().then();
      }
      return res.status(200).header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(DRIP_CHUNKS))
          .sendString(Flux.interval(drip.dividedBy(DRIP_CHUNKS)).take(DRIP_CHUNKS).map(i -> "x")).then();
    });
  }

  /** The status; a 3xx points elsewhere (never to be followed), a 429 or 503 asks to wait a second. */
  private Mono<Void> error(HttpServerResponse res, int status) {
    return Mono.defer(() -> {
      counters.errorsAnswered.increment();
      res.status(status);
      if (status / 100 == 3) {
        res.header(HttpHeaderNames.LOCATION, "/moved-away");
      } else if (status == 429 || status == 503) {
        res.header(HttpHeaderNames.RETRY_AFTER, "1");
      }
      return res.send().then();
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
