package dev.relay.webhook.tracing;

import static dev.relay.webhook.testing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.WebhookDeliverer;
import dev.relay.webhook.config.TracingSettings;
import dev.relay.webhook.signing.WebhookHeaders;
import dev.relay.webhook.signing.WebhookVerifier;
import dev.relay.webhook.testing.Fixtures;
import dev.relay.webhook.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Each attempt is a span, a child of the published trace context, and the receiver (a real HTTP
 * server on 127.0.0.1) gets that span as its {@code traceparent}, beside the Standard Webhooks
 * headers.
 */
class AttemptTracingIT {
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT_ID = "00f067aa0ba902b7";
  static final String PARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
  static final Duration WAIT = Duration.ofSeconds(10);
  static final AtomicLong IDS = new AtomicLong();

  static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
  static OpenTelemetrySdk telemetry;
  static TestServer server;
  static int closedPort;

  @BeforeAll
  static void start() throws Exception {
    telemetry = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build())
        .build();
    server = TestServer.start((req, res) -> req.path().equals("/ok")
        ? res.status(200).sendString(Mono.just("ok")) : res.status(503).sendString(Mono.just("later")));
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
  }

  @AfterAll
  static void stop() {
    server.close();
    telemetry.close();
  }

  @AfterEach
  void reset() {
    SPANS.reset();
    server.requests().clear();
  }

  @Test
  void receiverGetsAChildOfThePublishedContextAndEachAttemptIsASpan() {
    try (WebhookDeliverer deliverer = deliverer(TracingSettings.DEFAULTS)) {
      Delivery first = delivery("fail", 1, PARENT, "congo=t61rcWkgMzE");
      Delivery second = withAttempt(first, 2);
      assertThat(deliverer.deliver(first).block(WAIT)).isInstanceOf(Outcome.Retry.class);
      assertThat(deliverer.deliver(second).block(WAIT)).isInstanceOf(Outcome.Retry.class);
      Delivery ok = delivery("ok", 3, PARENT, null);
      assertThat(deliverer.deliver(ok).block(WAIT)).isInstanceOf(Outcome.Delivered.class);
    }
    List<SpanData> spans = SPANS.getFinishedSpanItems();
    assertThat(spans).hasSize(3);
    List<TestServer.Captured> requests = server.requests();
    assertThat(requests).hasSize(3);
    for (int i = 0; i < 3; i++) {
      SpanData span = spans.get(i);
      String traceparent = requests.get(i).headers().get(AttemptSpan.TRACEPARENT);
      assertThat(traceparent).isEqualTo("00-" + TRACE_ID + "-" + span.getSpanId() + "-01");
      assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
      assertThat(span.getParentSpanId()).isEqualTo(PARENT_ID);
      assertThat(span.getSpanId()).isNotEqualTo(PARENT_ID);
      assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(span.getName()).startsWith("POST ");
      // The Standard Webhooks headers are all still there, and verify.
      TestServer.Captured request = requests.get(i);
      assertThat(request.headers().get(WebhookHeaders.ID)).isNotBlank();
      WebhookVerifier.of(Fixtures.SECRET).verify(request.headers()::get, request.body().getBytes(StandardCharsets.UTF_8));
    }
    SpanData failed = spans.get(0);
    assertThat(failed.getAttributes().get(SpanAttributes.ENDPOINT)).isEqualTo("fail");
    assertThat(failed.getAttributes().get(SpanAttributes.EVENT_TYPE)).isEqualTo("invoice.paid");
    assertThat(failed.getAttributes().get(SpanAttributes.ATTEMPT)).isEqualTo(1L);
    assertThat(failed.getAttributes().get(SpanAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(503L);
    assertThat(failed.getAttributes().get(SpanAttributes.OUTCOME)).isEqualTo("retry");
    assertThat(failed.getAttributes().get(SpanAttributes.ERROR_TYPE)).isEqualTo("503");
    assertThat(failed.getAttributes().get(SpanAttributes.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
    assertThat(failed.getAttributes().get(SpanAttributes.SERVER_PORT)).isEqualTo((long) server.port());
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(spans.get(1).getAttributes().get(SpanAttributes.ATTEMPT)).isEqualTo(2L);
    assertThat(spans.get(1).getAttributes().get(SpanAttributes.EVENT_ID))
        .isEqualTo(failed.getAttributes().get(SpanAttributes.EVENT_ID));
    SpanData delivered = spans.get(2);
    assertThat(delivered.getAttributes().get(SpanAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(200L);
    assertThat(delivered.getAttributes().get(SpanAttributes.OUTCOME)).isEqualTo("delivered");
    assertThat(delivered.getAttributes().get(SpanAttributes.ATTEMPT)).isEqualTo(3L);
    assertThat(delivered.getAttributes().get(SpanAttributes.ERROR_TYPE)).isNull();
    assertThat(delivered.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(requests.get(0).headers().get(AttemptSpan.TRACESTATE)).isEqualTo("congo=t61rcWkgMzE");
    assertThat(requests.get(2).headers().get(AttemptSpan.TRACESTATE)).isNull();
    // Nothing of the URL beyond host and port, nothing of a reason text.
    assertThat(failed.getAttributes().asMap().values()).noneMatch(v -> String.valueOf(v).contains("/fail"))
        .noneMatch(v -> String.valueOf(v).contains("later"));
  }

  @Test
  void withoutPublishedContextNothingIsSentUnlessNewTracesAreEnabled() {
    try (WebhookDeliverer deliverer = deliverer(TracingSettings.DEFAULTS)) {
      assertThat(deliverer.deliver(delivery("ok", 1, null, null)).block(WAIT)).isInstanceOf(Outcome.Delivered.class);
    }
    assertThat(server.requests().get(0).headers().get(AttemptSpan.TRACEPARENT)).isNull();
    assertThat(SPANS.getFinishedSpanItems()).isEmpty();

    try (WebhookDeliverer deliverer = deliverer(new TracingSettings(true, true))) {
      assertThat(deliverer.deliver(delivery("ok", 1, null, null)).block(WAIT)).isInstanceOf(Outcome.Delivered.class);
    }
    SpanData root = SPANS.getFinishedSpanItems().get(0);
    assertThat(root.getParentSpanContext().isValid()).isFalse();
    // Sampled; the SDK may also set W3C level 2's random-trace-id flag (03).
    assertThat(server.requests().get(1).headers().get(AttemptSpan.TRACEPARENT))
        .matches("00-" + root.getTraceId() + "-" + root.getSpanId() + "-0[13]");
  }

  @Test
  void disabledTracingSendsNoHeaderEvenForATracedMessage() {
    try (WebhookDeliverer deliverer = deliverer(TracingSettings.OFF)) {
      deliverer.deliver(delivery("ok", 1, PARENT, "k=v")).block(WAIT);
    }
    assertThat(server.requests().get(0).headers().get(AttemptSpan.TRACEPARENT)).isNull();
    assertThat(server.requests().get(0).headers().get(AttemptSpan.TRACESTATE)).isNull();
    assertThat(SPANS.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void unsampledParentIsPropagatedButNotRecorded() {
    try (WebhookDeliverer deliverer = deliverer(TracingSettings.DEFAULTS)) {
      deliverer.deliver(delivery("ok", 1, "00-" + TRACE_ID + "-" + PARENT_ID + "-00", null)).block(WAIT);
    }
    String sent = server.requests().get(0).headers().get(AttemptSpan.TRACEPARENT);
    assertThat(sent).startsWith("00-" + TRACE_ID + "-").endsWith("-00").doesNotContain(PARENT_ID);
    assertThat(SPANS.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void transportFailureIsASpanWithTheErrorTypeAndNoStatus() {
    try (WebhookDeliverer deliverer = WebhookDeliverer.builder(Fixtures.loopbackSettings(),
            List.of(endpoint("closed", "http://127.0.0.1:" + closedPort + "/")), new SimpleMeterRegistry())
        .tracer(AttemptTracer.create(telemetry, TracingSettings.DEFAULTS)).build()) {
      assertThat(deliverer.deliver(delivery("closed", 1, PARENT, null)).block(WAIT)).isInstanceOf(Outcome.Retry.class);
    }
    SpanData span = SPANS.getFinishedSpanItems().get(0);
    assertThat(span.getAttributes().get(SpanAttributes.HTTP_RESPONSE_STATUS_CODE)).isNull();
    assertThat(span.getAttributes().get(SpanAttributes.OUTCOME)).isEqualTo("retry");
    assertThat(span.getAttributes().get(SpanAttributes.ERROR_TYPE)).isNotBlank();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  private static WebhookDeliverer deliverer(TracingSettings settings) {
    return WebhookDeliverer.builder(Fixtures.loopbackSettings(),
            List.of(endpoint("ok", server.url("/ok")), endpoint("fail", server.url("/fail"))), new SimpleMeterRegistry())
        .tracer(AttemptTracer.create(telemetry, settings))
        .build();
  }

  private static Delivery delivery(String endpoint, int attempt, @Nullable String traceparent,
      @Nullable String tracestate) {
    long id = IDS.incrementAndGet();
    return new Delivery(id, endpoint, "msg_" + id, "invoice.paid", "{\"id\":" + id + "}", "application/json", null,
        attempt, Instant.parse("2026-01-01T00:00:00Z"), traceparent, tracestate);
  }

  private static Delivery withAttempt(Delivery d, int attempt) {
    return new Delivery(d.id(), d.endpoint(), d.eventId(), d.eventType(), d.payload(), d.contentType(),
        d.orderingKey(), attempt, d.publishedAt(), d.traceparent(), d.tracestate());
  }
}
