package dev.relay.app.endpoints;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals runtime endpoints' signing secrets for storage: AES-256-GCM (JDK), a random 96-bit nonce
 * per seal, the endpoint's name as associated data (a sealed secret copied to another endpoint
 * does not open). Stored as {@code <key id>:<base64 of nonce, ciphertext and tag>}; the key id is
 * the first 8 hex digits of the key's SHA-256, so a relay knows which of its keys opens a value.
 * The first key seals; all open (rotation: put the new key first, keep the old ones until the
 * relays have re-sealed everything, see {@link SecretSealing}).
 */
public final class SecretBox {
  private static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  /**
   * Nonces: a DRBG seeded once, here, at class load (on the starting thread). Its nextBytes is
   * computation only, so sealing on an event loop reads no file (NativePRNG reads /dev/urandom).
   */
  private static final SecureRandom RANDOM = drbg();

  private final String currentId;
  private final Map<String, SecretKeySpec> keys;

  private SecretBox(String currentId, Map<String, SecretKeySpec> keys) {
    this.currentId = currentId;
    this.keys = keys;
  }

  /**
   * A box with these keys, the first sealing.
   *
   * @throws IllegalArgumentException if there is none, or one is not 32 bytes
   */
  public static SecretBox of(List<byte[]> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("runtime-endpoints.encryption-keys must list at least one key");
    }
    Map<String, SecretKeySpec> byId = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      byte[] key = keys.get(i);
      if (key.length != KEY_BYTES) {
        throw new IllegalArgumentException("runtime-endpoints.encryption-keys[" + i + "] must be 32 bytes (base64 of"
            + " 32 random bytes, e.g. `openssl rand -base64 32`), was " + key.length + " bytes");
      }
      byId.putIfAbsent(id(key), new SecretKeySpec(key, "AES"));
    }
    return new SecretBox(id(keys.get(0)), byId);
  }

  /** The id of the key that seals. */
  public String keyId() {
    return currentId;
  }

  /** Whether {@code sealed} was sealed with the current key. */
  public boolean isCurrent(String sealed) {
    return sealed.startsWith(currentId + ":");
  }

  public String seal(String endpoint, String secret) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.get(currentId), nonce, endpoint);
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return currentId + ":" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is not available in this JDK", e);
    }
  }

  /**
   * Opens a sealed secret of {@code endpoint}.
   *
   * @throws IllegalStateException naming the key id if this relay lacks the key, or if the value
   *     does not open (altered, or sealed for another endpoint)
   */
  public String open(String endpoint, String sealed) {
    int colon = sealed.indexOf(':');
    String id = colon < 0 ? "" : sealed.substring(0, colon);
    SecretKeySpec key = keys.get(id);
    if (key == null) {
      throw new IllegalStateException("the signing secret of endpoint '" + endpoint + "' is sealed with key "
          + (id.isEmpty() ? "(none)" : id) + ", which is not in this relay's runtime-endpoints.encryption-keys"
          + " (it has " + String.join(", ", keys.keySet()) + ")");
    }
    try {
      byte[] data = Base64.getDecoder().decode(sealed.substring(colon + 1));
      if (data.length <= NONCE_BYTES) {
        throw new IllegalStateException("the sealed signing secret of endpoint '" + endpoint + "' is truncated");
      }
      byte[] nonce = java.util.Arrays.copyOf(data, NONCE_BYTES);
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, nonce, endpoint);
      return new String(cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("the sealed signing secret of endpoint '" + endpoint
          + "' does not open with key " + id + ": it was altered or belongs to another endpoint");
    }
  }

  private static Cipher cipher(int mode, SecretKeySpec key, byte[] nonce, String endpoint)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(("relay endpoint secret:" + endpoint).getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  private static SecureRandom drbg() {
    try {
      SecureRandom random = SecureRandom.getInstance("DRBG");
      random.nextBytes(new byte[NONCE_BYTES]); // seeds it now
      return random;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no DRBG SecureRandom", e);
    }
  }

  private static String id(byte[] key) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key);
      return HexFormat.of().formatHex(hash, 0, 4);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available in this JDK", e);
    }
  }

  @Override
  public String toString() {
    return "SecretBox[keys=" + keys.keySet() + ", sealing with " + currentId + "]";
  }
}
