package dev.relay.webhook.signing;

/** The Standard Webhooks header names (lower case, as HTTP/2 requires and HTTP/1.1 permits). */
public final class WebhookHeaders {

  /** The message's stable id, identical on every retry: receivers de-duplicate on it. */
  public static final String ID = "webhook-id";

  /** Unix seconds when this attempt was signed. */
  public static final String TIMESTAMP = "webhook-timestamp";

  /** Space-separated {@code v1,<base64>} signatures, one per active secret. */
  public static final String SIGNATURE = "webhook-signature";

  private WebhookHeaders() {}
}
