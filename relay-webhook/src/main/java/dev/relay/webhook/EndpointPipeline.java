package dev.relay.webhook;

import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.classify.OutcomeClassifier;
import dev.relay.webhook.client.EndpointClient;
import dev.relay.webhook.config.WebhookEndpoint;
import dev.relay.webhook.metrics.WebhookMetrics;
import dev.relay.webhook.resilience.EndpointGuards;
import dev.relay.webhook.signing.WebhookHeaders;
import dev.relay.webhook.signing.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Everything one endpoint needs for an attempt: SSRF pre-check, signing, guards, the HTTP client,
 * classification and metrics, composed in that order.
 */
final class EndpointPipeline {

  private static final Logger log = LoggerFactory.getLogger(EndpointPipeline.class);

  private final WebhookEndpoint endpoint;
  private final WebhookSigner signer;
  private final EndpointGuards guards;
  private final EndpointClient client;
  private final OutcomeClassifier classifier;
  private final WebhookMetrics metrics;
  private final Clock clock;
  /** Set when the URL host is an IP address the guard refuses: no attempt is ever started. */
  private final @Nullable String hostRefusal;

  EndpointPipeline(
      WebhookEndpoint endpoint,
      WebhookSigner signer,
      EndpointGuards guards,
      EndpointClient client,
      OutcomeClassifier classifier,
      WebhookMetrics metrics,
      Clock clock,
      @Nullable String hostRefusal) {
    this.endpoint = endpoint;
    this.signer = signer;
    this.guards = guards;
    this.client = client;
    this.classifier = classifier;
    this.metrics = metrics;
    this.clock = clock;
    this.hostRefusal = hostRefusal;
  }

  Mono<Outcome> deliver(Delivery delivery) {
    return Mono.defer(() -> {
      if (hostRefusal != null) {
        return Mono.just(classifier.classify(
            dev.relay.webhook.ssrf.SsrfGuard.refused(hostRefusal)));
      }
      if (hasControlCharacter(delivery.contentType()) || hasControlCharacter(delivery.eventId())) {
        return Mono.just(Outcome.terminal(
            "message content type or event id contains control characters; not sendable"));
      }
      return guards.protect(attempt(delivery)).onErrorResume(e -> Mono.just(rejectedOrFailed(e)));
    }).doOnNext(outcome -> logOutcome(delivery, outcome));
  }

  /** One signed POST; HTTP answers become outcomes here, transport failures stay errors. */
  private Mono<Outcome> attempt(Delivery delivery) {
    return Mono.defer(() -> {
      long start = System.nanoTime();
      byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
      return client.post(headers(delivery, body), body)
          .map(classifier::classify)
          .doOnNext(o -> metrics.recordAttempt(endpoint.name(), status(o), o, System.nanoTime() - start))
          .doOnError(e -> metrics.recordAttempt(
              endpoint.name(), null, classifier.classify(e), System.nanoTime() - start));
    });
  }

  private Outcome rejectedOrFailed(Throwable error) {
    String rejection = classifier.rejectionReason(error);
    if (rejection != null) {
      metrics.recordRejection(endpoint.name(), rejection);
    }
    Outcome outcome = classifier.classify(error);
    if (outcome instanceof Outcome.Retry r && r.reason().startsWith(OutcomeClassifier.UNEXPECTED)) {
      log.warn("endpoint {}: unexpected error during an attempt", endpoint.name(), error);
    }
    return outcome;
  }

  /** Custom headers first; the relay's own headers are set after them and always win. */
  private Map<String, String> headers(Delivery delivery, byte[] body) {
    long timestamp = clock.instant().getEpochSecond(); // fresh for every attempt
    Map<String, String> headers = new LinkedHashMap<>(endpoint.headers());
    headers.put("Content-Type", delivery.contentType());
    headers.put(WebhookHeaders.ID, delivery.eventId());
    headers.put(WebhookHeaders.TIMESTAMP, Long.toString(timestamp));
    headers.put(WebhookHeaders.SIGNATURE, signer.signatureHeader(delivery.eventId(), timestamp, body));
    return headers;
  }

  private void logOutcome(Delivery delivery, Outcome outcome) {
    if (outcome instanceof Outcome.Delivered) {
      log.debug("delivery {} to endpoint {} (attempt {}) delivered",
          delivery.id(), endpoint.name(), delivery.attempt());
    } else {
      log.info("delivery {} to endpoint {} (attempt {}) not delivered: {}",
          delivery.id(), endpoint.name(), delivery.attempt(), outcome);
    }
  }

  private static @Nullable Integer status(Outcome outcome) {
    if (outcome instanceof Outcome.Delivered d) {
      return d.statusCode();
    }
    if (outcome instanceof Outcome.Retry r) {
      return r.statusCode();
    }
    return ((Outcome.Terminal) outcome).statusCode();
  }

  private static boolean hasControlCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  WebhookEndpoint endpoint() {
    return endpoint;
  }

  EndpointGuards guards() {
    return guards;
  }
}
