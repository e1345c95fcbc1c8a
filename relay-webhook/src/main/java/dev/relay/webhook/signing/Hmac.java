package dev.relay.webhook.signing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 over the Standard Webhooks signed content {@code id.timestamp.body}. */
final class Hmac {

  private static final String ALGORITHM = "HmacSHA256";

  private Hmac() {}

  static byte[] sign(SigningSecret secret, String id, long timestamp, byte[] body) {
    Mac mac = newMac(secret);
    mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
    return mac.doFinal(body);
  }

  static String signature(SigningSecret secret, String id, long timestamp, byte[] body) {
    return "v1," + Base64.getEncoder().encodeToString(sign(secret, id, timestamp, body));
  }

  private static Mac newMac(SigningSecret secret) {
    try {
      // Mac instances are not thread-safe and cheap to create; one per signature.
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret.key(), ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }
}
