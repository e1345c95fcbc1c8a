package dev.relay.app.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK as the standard {@code OTEL_*} environment variables (or {@code otel.*}
 * system properties) configure it, with the relay's defaults under them: spans are made but not
 * exported ({@code OTEL_TRACES_EXPORTER=otlp} exports them), OTLP speaks http/protobuf (the only
 * protocol the bundled JDK HTTP sender has), no metrics or logs are exported (metrics are
 * Prometheus's), and the service is called {@code relay} unless named otherwise.
 */
public final class Telemetry {
  /** Applied only where neither the environment nor a system property sets the key. */
  static final Map<String, String> DEFAULTS = Map.of(
      "otel.traces.exporter", "none",
      "otel.metrics.exporter", "none",
      "otel.logs.exporter", "none",
      "otel.exporter.otlp.protocol", "http/protobuf");

  private static final String SERVICE_NAME = "service.name";
  private static final String SERVICE_VERSION = "service.version";

  private Telemetry() {}

  /**
   * Builds the SDK; its span exporter starts now. Close it with {@link #shutdown}.
   *
   * @throws IllegalArgumentException naming the setting when an {@code OTEL_*} value is wrong,
   *     e.g. {@code OTEL_EXPORTER_OTLP_PROTOCOL=grpc}
   */
  public static OpenTelemetrySdk fromEnvironment(String version) {
    try {
      return AutoConfiguredOpenTelemetrySdk.builder()
          .addPropertiesSupplier(() -> DEFAULTS)
          .addResourceCustomizer((resource, config) -> named(resource, version))
          .disableShutdownHook()
          .build()
          .getOpenTelemetrySdk();
    } catch (RuntimeException e) {
      // ConfigurationException (and the exporter's own checks): the message names the property.
      throw new IllegalArgumentException("OpenTelemetry configuration (OTEL_* variables): " + e.getMessage()
          + " (only the otlp exporter with http/protobuf, or none, is included)", e);
    }
  }

  /** {@code service.name} is {@code relay} and {@code service.version} this build's, unless the variables say otherwise. */
  private static Resource named(Resource resource, String version) {
    String name = resource.getAttribute(AttributeKey.stringKey(SERVICE_NAME));
    AttributesBuilder ours = Attributes.builder();
    if (name == null || name.startsWith("unknown_service")) {
      ours.put(SERVICE_NAME, "relay");
    }
    if (resource.getAttribute(AttributeKey.stringKey(SERVICE_VERSION)) == null) {
      ours.put(SERVICE_VERSION, version);
    }
    return resource.merge(Resource.create(ours.build()));
  }

  /** Flushes spans still queued (at most {@code seconds}), then stops exporting. Blocks. */
  public static void shutdown(OpenTelemetrySdk sdk, long seconds) {
    CompletableResultCode done = sdk.shutdown();
    done.join(seconds, TimeUnit.SECONDS);
  }
}
