package dev.relay.webhook.signing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Signs webhook attempts with every active secret of an endpoint. Several secrets (rotation) give
 * several space-separated signatures; a receiver accepts the message if any one verifies.
 * Thread-safe.
 */
public final class WebhookSigner {

  private final List<SigningSecret> secrets;

  private WebhookSigner(List<SigningSecret> secrets) {
    this.secrets = secrets;
  }

  public static WebhookSigner of(List<SigningSecret> secrets) {
    Objects.requireNonNull(secrets, "secrets");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one signing secret is required");
    }
    return new WebhookSigner(List.copyOf(secrets));
  }

  /** The {@code webhook-signature} header value for this id, timestamp and body. */
  public String signatureHeader(String id, long timestampSeconds, byte[] body) {
    StringJoiner joiner = new StringJoiner(" ");
    for (SigningSecret secret : secrets) {
      joiner.add(Hmac.signature(secret, id, timestampSeconds, body));
    }
    return joiner.toString();
  }

  /** As {@link #signatureHeader(String, long, byte[])} with the body's UTF-8 bytes. */
  public String signatureHeader(String id, long timestampSeconds, String body) {
    return signatureHeader(id, timestampSeconds, body.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "WebhookSigner[" + secrets.size() + " secret(s)]";
  }
}
