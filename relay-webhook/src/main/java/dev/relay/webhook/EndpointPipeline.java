package dev.relay.webhook;

import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Exchange;
import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.classify.Echoes;
import dev.relay.webhook.classify.OutcomeClassifier;
import dev.relay.webhook.classify.OutcomeNames;
import dev.relay.webhook.client.EndpointClient;
import dev.relay.webhook.config.WebhookEndpoint;
import dev.relay.webhook.metrics.WebhookMetrics;
import dev.relay.webhook.resilience.EndpointGuards;
import dev.relay.webhook.signing.WebhookHeaders;
import dev.relay.webhook.signing.WebhookSigner;
import dev.relay.webhook.tracing.AttemptSpan;
import dev.relay.webhook.tracing.AttemptTracer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Everything one endpoint needs for an attempt: SSRF pre-check, signing, guards, the attempt's
 * span, the HTTP client, classification, metrics and the log line, composed in that order.
 */
final class EndpointPipeline {

  private static final Logger log = LoggerFactory.getLogger(EndpointPipeline.class);

  private final WebhookEndpoint endpoint;
  /** The endpoint label of its metrics: its name, or a shared one (runtime endpoints). */
  private final String label;
  private final WebhookSigner signer;
  private final EndpointGuards guards;
  private final EndpointClient client;
  private final OutcomeClassifier classifier;
  private final WebhookMetrics metrics;
  private final Clock clock;
  private final AttemptTracer tracer;
  /**
   * Set when no attempt may ever start: the URL host is an IP address the SSRF guard refuses, or
   * the URL is http:// where that is not allowed (a runtime endpoint).
   */
  private final @Nullable Outcome refusal;

  EndpointPipeline(
      WebhookEndpoint endpoint,
      String label,
      WebhookSigner signer,
      EndpointGuards guards,
      EndpointClient client,
      OutcomeClassifier classifier,
      WebhookMetrics metrics,
      Clock clock,
      AttemptTracer tracer,
      @Nullable Outcome refusal) {
    this.endpoint = endpoint;
    this.label = label;
    this.signer = signer;
    this.guards = guards;
    this.client = client;
    this.classifier = classifier;
    this.metrics = metrics;
    this.clock = clock;
    this.tracer = tracer;
    this.refusal = refusal;
  }

  Mono<Outcome> deliver(Delivery delivery) {
    return Mono.defer(() -> {
      if (refusal != null) {
        return Mono.just(unsent(delivery, refusal));
      }
      if (hasControlCharacter(delivery.contentType()) || hasControlCharacter(delivery.eventId())) {
        return Mono.just(unsent(delivery, Outcome.terminal(
            "message content type or event id contains control characters; not sendable")));
      }
      return guards.protect(attempt(delivery)).onErrorResume(e -> Mono.just(rejectedOrFailed(delivery, e)));
    });
  }

  /**
   * One signed POST under its own span; HTTP answers become outcomes here, transport failures
   * stay errors (the breaker counts them). Either way the attempt is measured, traced and logged
   * here.
   */
  private Mono<Outcome> attempt(Delivery delivery) {
    return Mono.defer(() -> {
      Instant startedAt = clock.instant();
      long start = System.nanoTime();
      AttemptSpan span = tracer.start(delivery, endpoint);
      byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
      Map<String, String> headers = headers(delivery, body, span);
      List<String> secret = sentSecrets(headers);
      return client.post(headers, body)
          // The excerpt is the start of the body the client keeps anyway (at most
          // EndpointClient.KEPT_BODY_BYTES): nothing more is buffered for the history.
          .map(reply -> Echoes.scrub(classifier.classify(reply)
              .with(new Exchange(startedAt, Duration.ofNanos(System.nanoTime() - start), reply.bodyStart())), secret))
          .doOnNext(o -> finished(delivery, o, null, span, System.nanoTime() - start))
          .doOnError(e -> finished(delivery, classifier.classify(e), e, span, System.nanoTime() - start))
          .doOnCancel(span::cancel);
    });
  }

  private void finished(Delivery delivery, Outcome outcome, @Nullable Throwable error, AttemptSpan span,
      long elapsedNanos) {
    metrics.recordAttempt(label, OutcomeNames.status(outcome), outcome, elapsedNanos);
    span.end(outcome, error);
    AttemptLog.attempted(delivery, outcome, elapsedNanos, span);
  }

  /** A guard's refusal (not sent, logged here) or an attempt's failure (logged by the attempt). */
  private Outcome rejectedOrFailed(Delivery delivery, Throwable error) {
    String rejection = classifier.rejectionReason(error);
    Outcome outcome = classifier.classify(error);
    if (rejection != null) {
      metrics.recordRejection(label, rejection);
      AttemptLog.unsent(delivery, outcome);
    } else if (outcome instanceof Outcome.Retry r && r.reason().startsWith(OutcomeClassifier.UNEXPECTED)) {
      log.warn("endpoint {}: unexpected error during an attempt", endpoint.name(), error);
    }
    return outcome;
  }

  private static Outcome unsent(Delivery delivery, Outcome outcome) {
    AttemptLog.unsent(delivery, outcome);
    return outcome;
  }

  /** Custom headers first; the relay's own headers are set after them and always win. */
  private Map<String, String> headers(Delivery delivery, byte[] body, AttemptSpan span) {
    long timestamp = clock.instant().getEpochSecond(); // fresh for every attempt
    Map<String, String> headers = new LinkedHashMap<>(endpoint.headers());
    headers.put("Content-Type", delivery.contentType());
    headers.put(WebhookHeaders.ID, delivery.eventId());
    headers.put(WebhookHeaders.TIMESTAMP, Long.toString(timestamp));
    headers.put(WebhookHeaders.SIGNATURE, signer.signatureHeader(delivery.eventId(), timestamp, body));
    span.inject(headers);
    return headers;
  }

  /** The header values a receiver must not get us to store: the configured ones and the signatures. */
  private List<String> sentSecrets(Map<String, String> headers) {
    List<String> out = new ArrayList<>(endpoint.headers().values());
    String signatures = headers.get(WebhookHeaders.SIGNATURE);
    out.add(signatures);
    out.addAll(List.of(signatures.split(" ")));
    return out;
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
