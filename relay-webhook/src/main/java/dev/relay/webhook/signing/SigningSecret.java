package dev.relay.webhook.signing;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A Standard Webhooks signing secret: {@code whsec_} followed by the base64 of 24 to 64 random
 * bytes. The key bytes never leave this package and {@link #toString()} never shows them.
 */
public final class SigningSecret {

  /** The prefix every secret carries. */
  public static final String PREFIX = "whsec_";

  /** Fewest key bytes accepted (the Standard Webhooks reference secret has 24). */
  public static final int MIN_BYTES = 24;

  /** Most key bytes accepted. */
  public static final int MAX_BYTES = 64;

  private final byte[] key;

  private SigningSecret(byte[] key) {
    this.key = key;
  }

  /**
   * Parses and validates a secret. The error names {@code key} (the configuration key holding the
   * secret) and never echoes the secret itself.
   *
   * @throws IllegalArgumentException if the secret is malformed
   */
  public static SigningSecret parse(String key, String secret) {
    Objects.requireNonNull(key, "key");
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException(key + " must not be empty");
    }
    String trimmed = secret.strip();
    if (!trimmed.startsWith(PREFIX)) {
      throw new IllegalArgumentException(
          key + " must start with '" + PREFIX + "' (Standard Webhooks secret format)");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(trimmed.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      // The decoder's message quotes the offending character; do not pass it on.
      throw new IllegalArgumentException(
          key + " must be '" + PREFIX + "' followed by standard base64 (A-Z a-z 0-9 + /)", null);
    }
    if (bytes.length < MIN_BYTES || bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException(
          key + " must decode to " + MIN_BYTES + " to " + MAX_BYTES + " bytes, decoded to "
              + bytes.length);
    }
    return new SigningSecret(bytes);
  }

  /** Parses a secret that is not tied to a configuration key (receivers, tests). */
  public static SigningSecret parse(String secret) {
    return parse("secret", secret);
  }

  byte[] key() {
    return key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SigningSecret other && Arrays.equals(key, other.key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "SigningSecret[" + key.length + " bytes, redacted]";
  }
}
