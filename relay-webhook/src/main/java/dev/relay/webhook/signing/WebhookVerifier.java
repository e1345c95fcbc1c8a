package dev.relay.webhook.signing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Verifies a received webhook the way the Standard Webhooks specification says: the signature over
 * {@code webhook-id.webhook-timestamp.body} must match one of the {@code v1,} signatures in the
 * {@code webhook-signature} header (compared in constant time), and the timestamp must be within
 * the tolerance of the receiver's clock (default 5 minutes either way) to blunt replays.
 *
 * <p>For receivers (relay-app's demo receiver, tests). Several secrets may be configured while a
 * receiver rotates; any one verifying is enough. Thread-safe.
 */
public final class WebhookVerifier {

  /** Default allowed clock difference between signer and receiver. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private final List<SigningSecret> secrets;
  private final Duration tolerance;
  private final Clock clock;

  private WebhookVerifier(List<SigningSecret> secrets, Duration tolerance, Clock clock) {
    this.secrets = secrets;
    this.tolerance = tolerance;
    this.clock = clock;
  }

  /** A verifier for these secrets (any one may have signed), 5 minute tolerance, system clock. */
  public static WebhookVerifier of(List<SigningSecret> secrets) {
    Objects.requireNonNull(secrets, "secrets");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one secret is required");
    }
    return new WebhookVerifier(List.copyOf(secrets), DEFAULT_TOLERANCE, Clock.systemUTC());
  }

  /** A verifier for one {@code whsec_} secret. */
  public static WebhookVerifier of(String secret) {
    return of(List.of(SigningSecret.parse(secret)));
  }

  public WebhookVerifier withTolerance(Duration newTolerance) {
    if (newTolerance.isNegative()) {
      throw new IllegalArgumentException("tolerance must not be negative");
    }
    return new WebhookVerifier(secrets, newTolerance, clock);
  }

  public WebhookVerifier withClock(Clock newClock) {
    return new WebhookVerifier(secrets, tolerance, Objects.requireNonNull(newClock, "clock"));
  }

  /**
   * Verifies a request given a header lookup (case-insensitive lookups are the caller's concern;
   * Reactor Netty's and most servers' header maps are).
   *
   * @throws WebhookVerificationException if a header is missing, the timestamp is outside the
   *     tolerance, or no signature matches
   */
  public void verify(Function<String, @Nullable String> headers, byte[] body) {
    verify(
        required(headers, WebhookHeaders.ID),
        required(headers, WebhookHeaders.TIMESTAMP),
        required(headers, WebhookHeaders.SIGNATURE),
        body);
  }

  /** As {@link #verify(Function, byte[])} with the three header values given directly. */
  public void verify(String id, String timestamp, String signatureHeader, byte[] body) {
    long seconds = checkTimestamp(timestamp);
    for (SigningSecret secret : secrets) {
      byte[] expected = Hmac.sign(secret, id, seconds, body);
      for (String candidate : signatureHeader.trim().split(" +")) {
        byte[] presented = decodeV1(candidate);
        if (presented != null && MessageDigest.isEqual(expected, presented)) {
          return;
        }
      }
    }
    throw new WebhookVerificationException("no matching signature");
  }

  /** As {@link #verify(String, String, String, byte[])} with a UTF-8 body. */
  public void verify(String id, String timestamp, String signatureHeader, String body) {
    verify(id, timestamp, signatureHeader, body.getBytes(StandardCharsets.UTF_8));
  }

  /** True if {@link #verify(Function, byte[])} would succeed. */
  public boolean isValid(Function<String, @Nullable String> headers, byte[] body) {
    try {
      verify(headers, body);
      return true;
    } catch (WebhookVerificationException e) {
      return false;
    }
  }

  private long checkTimestamp(String timestamp) {
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      throw new WebhookVerificationException("invalid " + WebhookHeaders.TIMESTAMP + " header");
    }
    long now = clock.instant().getEpochSecond();
    if (now - seconds > tolerance.toSeconds()) {
      throw new WebhookVerificationException("message timestamp too old");
    }
    if (seconds - now > tolerance.toSeconds()) {
      throw new WebhookVerificationException("message timestamp too new");
    }
    return seconds;
  }

  private static byte @Nullable [] decodeV1(String candidate) {
    if (!candidate.startsWith("v1,")) {
      return null; // other versions (e.g. v1a asymmetric) are not ours to check
    }
    try {
      return Base64.getDecoder().decode(candidate.substring(3));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String required(Function<String, @Nullable String> headers, String name) {
    String value = headers.apply(name);
    if (value == null || value.isBlank()) {
      throw new WebhookVerificationException("missing " + name + " header");
    }
    return value;
  }

  @Override
  public String toString() {
    return "WebhookVerifier[" + secrets.size() + " secret(s), tolerance=" + tolerance + "]";
  }
}
