package dev.relay.webhook.ssrf;

/**
 * A connection was refused by the SSRF guard before any byte was sent. Retrying cannot help: the
 * endpoint's configuration (URL or allowed-networks) must change.
 */
public final class SsrfRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  SsrfRefusedException(String reason) {
    super(reason, null, false, false);
  }
}
