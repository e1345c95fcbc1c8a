package dev.relay.app.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;

/**
 * Checks {@code Authorization: Bearer <token>} in constant time: both sides are hashed first, so
 * neither the content nor the length of the token leaks through timing.
 */
final class BearerAuth {
  private static final String PREFIX = "bearer ";
  private final byte @Nullable [] expected;

  BearerAuth(@Nullable String token) {
    this.expected = token == null ? null : sha256(token);
  }

  boolean enabled() {
    return expected != null;
  }

  boolean allows(@Nullable String authorization) {
    byte[] want = expected;
    if (want == null || authorization == null || authorization.length() < PREFIX.length()
        || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return false;
    }
    return MessageDigest.isEqual(want, sha256(authorization.substring(PREFIX.length()).trim()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
