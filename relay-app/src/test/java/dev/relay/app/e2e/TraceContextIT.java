package dev.relay.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.app.RelayProcess;
import dev.relay.app.TestConfigs;
import dev.relay.app.metrics.AppMetricNames;
import dev.relay.app.runtime.Relay;
import dev.relay.app.runtime.WebhookTransport;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import dev.relay.webhook.signing.WebhookHeaders;
import dev.relay.webhook.signing.WebhookVerifier;
import dev.relay.webhook.tracing.SpanAttributes;
import io.micrometer.core.instrument.FunctionCounter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Trace context end to end: published in the application's transaction (argument or SET LOCAL),
 * received by a real HTTP receiver as the traceparent of the attempt's span, one span per attempt;
 * a malformed context costs nothing but a counted warning; and the packaged jar exports spans over
 * OTLP when the standard variables ask for it.
 */
@ExtendWith(PostgresExtension.class)
class TraceContextIT {
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT_ID = "00f067aa0ba902b7";
  static final String PARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
  static final String OTHER_TRACE = "0af7651916cd43dd8448eb211c80319c";

  @Test
  void receiverSeesTheChildOfThePublishedContextAndEachAttemptIsASpan(TestDatabase db) throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (Receiver receiver = new Receiver("retried");
         OpenTelemetrySdk telemetry = OpenTelemetrySdk.builder()
             .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
             .build()) {
      Relay relay = Objects.requireNonNull(Relay.start(TestConfigs.parse(config(db, receiver)),
          (c, r, s) -> WebhookTransport.create(c, r, telemetry, s)).block(Duration.ofMinutes(1)));
      try {
        db.execute("SELECT {schema}.publish('invoice.paid', '{}', event_id => 'retried', traceparent => ?)", PARENT);
        try (Connection c = db.jdbc(); Statement s = c.createStatement()) {
          c.setAutoCommit(false);
          s.execute("SET LOCAL relay.traceparent = '00-" + OTHER_TRACE + "-b7ad6b7169203331-01'");
          s.execute(db.resolve("SELECT {schema}.publish('invoice.paid', '{}', event_id => 'by-setting')"));
          c.commit();
        }
        db.execute("SELECT {schema}.publish('invoice.paid', '{}', event_id => 'malformed', traceparent => 'zzz')");
        db.execute("SELECT {schema}.publish('invoice.paid', '{}', event_id => 'untraced')");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.delivered.size() == 4);

        List<String> retried = receiver.traceparents("retried");
        assertThat(retried).hasSize(2).allMatch(t -> t.startsWith("00-" + TRACE_ID + "-") && !t.contains(PARENT_ID));
        assertThat(receiver.traceparents("by-setting")).singleElement().asString().startsWith("00-" + OTHER_TRACE + "-");
        assertThat(receiver.traceparents("malformed")).containsExactly("");
        assertThat(receiver.traceparents("untraced")).containsExactly("");

        await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().size() == 3);
        List<SpanData> ofRetried = spans.getFinishedSpanItems().stream()
            .filter(s -> "retried".equals(s.getAttributes().get(SpanAttributes.EVENT_ID))).toList();
        assertThat(ofRetried).extracting(s -> s.getAttributes().get(SpanAttributes.ATTEMPT)).containsExactly(1L, 2L);
        assertThat(ofRetried).extracting(s -> s.getAttributes().get(SpanAttributes.HTTP_RESPONSE_STATUS_CODE))
            .containsExactly(503L, 200L);
        assertThat(ofRetried).extracting(s -> s.getAttributes().get(SpanAttributes.OUTCOME))
            .containsExactly("retry", "delivered");
        assertThat(ofRetried).allSatisfy(s -> {
          assertThat(s.getTraceId()).isEqualTo(TRACE_ID);
          assertThat(s.getParentSpanId()).isEqualTo(PARENT_ID);
          assertThat(s.getAttributes().get(SpanAttributes.ENDPOINT)).isEqualTo("billing");
          assertThat(s.getAttributes().get(SpanAttributes.EVENT_TYPE)).isEqualTo("invoice.paid");
        });
        assertThat(retried).containsExactly(ofRetried.stream()
            .map(s -> "00-" + TRACE_ID + "-" + s.getSpanId() + "-01").toArray(String[]::new));

        await().atMost(Duration.ofSeconds(10)).until(() -> ignoredCount(relay) >= 1);
        assertThat(receiver.badSignatures.get()).isZero();
      } finally {
        relay.stop().block(Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void packagedJarExportsSpansOverOtlpWhenTheVariablesAskForIt(TestDatabase db, @TempDir Path dir) throws Exception {
    List<byte[]> exported = new CopyOnWriteArrayList<>();
    DisposableServer collector = HttpServer.create().host("127.0.0.1").port(0)
        .route(r -> r.post("/v1/traces", (req, res) -> req.receive().aggregate().asByteArray()
            .doOnNext(exported::add).then(res.status(200).header("Content-Type", "application/x-protobuf").send())))
        .bindNow();
    try (Receiver receiver = new Receiver("none")) {
      Path file = Files.writeString(dir.resolve("relay.yaml"), config(db, receiver));
      Map<String, String> env = Map.of(
          "OTEL_TRACES_EXPORTER", "otlp",
          "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.port(),
          "OTEL_BSP_SCHEDULE_DELAY", "200");
      try (RelayProcess relay = RelayProcess.start(dir.resolve("relay.log"), env, "run", "--config", file.toString())) {
        await().atMost(Duration.ofSeconds(60)).until(() -> relay.output().contains("Relay started")
            || !relay.process().isAlive());
        db.execute("SELECT {schema}.publish('invoice.paid', '{}', event_id => 'exported', traceparent => ?)", PARENT);
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.delivered.contains("exported"));
        byte[] traceId = HexFormat.of().parseHex(TRACE_ID);
        await().atMost(Duration.ofSeconds(20))
            .until(() -> exported.stream().anyMatch(body -> contains(body, traceId)));
        assertThat(relay.terminate(Duration.ofSeconds(30))).isZero();
      }
    } finally {
      collector.disposeNow();
    }
  }

  private static String config(TestDatabase db, Receiver receiver) {
    return TestConfigs.database(db.config()) + TestConfigs.FAST_DELIVERY + """
        endpoints:
          - name: billing
            url: %s
            secrets: ["%s"]
            allow-http: true
            allowed-networks: [127.0.0.0/8]
        """.formatted(receiver.url(), TestConfigs.SECRET);
  }

  private static double ignoredCount(Relay relay) {
    FunctionCounter counter = relay.registry().find(AppMetricNames.TRACE_CONTEXT_IGNORED).functionCounter();
    return counter == null ? 0 : counter.count();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Verifies signatures, records each request's traceparent ("" when absent), refuses one event's first attempt. */
  static final class Receiver implements AutoCloseable {
    final Map<String, List<String>> traceparents = new ConcurrentHashMap<>();
    final List<String> delivered = new CopyOnWriteArrayList<>();
    final AtomicInteger badSignatures = new AtomicInteger();
    private final DisposableServer server;

    Receiver(String failFirstAttemptOf) {
      WebhookVerifier verifier = WebhookVerifier.of(TestConfigs.SECRET);
      server = HttpServer.create().host("127.0.0.1").port(0)
          .route(r -> r.post("/hook", (req, res) -> req.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
              .flatMap(body -> {
                try {
                  verifier.verify(req.requestHeaders()::get, body);
                } catch (RuntimeException e) {
                  badSignatures.incrementAndGet();
                  return res.status(401).send().then();
                }
                String id = String.valueOf(req.requestHeaders().get(WebhookHeaders.ID));
                @Nullable String traceparent = req.requestHeaders().get("traceparent");
                List<String> seen = traceparents.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
                seen.add(traceparent == null ? "" : traceparent);
                if (id.equals(failFirstAttemptOf) && seen.size() == 1) {
                  return res.status(503).sendString(Mono.just("later")).then();
                }
                delivered.add(id);
                return res.status(200).send().then();
              })))
          .bindNow();
    }

    String url() {
      return "http://127.0.0.1:" + server.port() + "/hook";
    }

    List<String> traceparents(String eventId) {
      return traceparents.getOrDefault(eventId, List.of());
    }

    @Override
    public void close() {
      server.disposeNow();
    }
  }
}
