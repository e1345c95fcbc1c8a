package dev.relay.webhook.signing;

/** A webhook request failed verification; the message says why without echoing any secret. */
public final class WebhookVerificationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  WebhookVerificationException(String message) {
    super(message, null, false, false);
  }
}
