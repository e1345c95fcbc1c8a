package dev.relay.webhook.tracing;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Every attribute of an attempt span, named in one place. HTTP ones follow the OpenTelemetry
 * semantic conventions; {@code relay.*} are the relay's. The URL's path and query are never
 * recorded (a webhook URL may carry a token in either), and neither is a reason text (it may quote
 * the receiver's body).
 */
public final class SpanAttributes {
  public static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
  public static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");
  public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  /** The status code for an HTTP failure, else the failure's exception class; absent on success. */
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  public static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("relay.endpoint");
  public static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("relay.event_type");
  /** The {@code webhook-id}. */
  public static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("relay.event_id");
  public static final AttributeKey<Long> DELIVERY_ID = AttributeKey.longKey("relay.delivery_id");
  public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("relay.attempt");
  /** {@code delivered}, {@code retry}, {@code terminal}, {@code endpoint_gone} or {@code cancelled}. */
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("relay.outcome");

  private SpanAttributes() {}
}
