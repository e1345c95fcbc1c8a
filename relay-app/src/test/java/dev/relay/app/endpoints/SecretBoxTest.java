package dev.relay.app.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  static final byte[] KEY_1 = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static final byte[] KEY_2 = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  @Test
  void sealsWithTheFirstKeyAndOpensWithAny() {
    SecretBox old = SecretBox.of(List.of(KEY_1));
    SecretBox rotated = SecretBox.of(List.of(KEY_2, KEY_1));
    String sealed = old.seal("acme", SECRET);
    assertThat(sealed).startsWith(old.keyId() + ":").doesNotContain(SECRET).doesNotContain(SECRET.substring(6));
    assertThat(rotated.open("acme", sealed)).isEqualTo(SECRET);
    assertThat(rotated.isCurrent(sealed)).isFalse();
    assertThat(rotated.isCurrent(rotated.seal("acme", SECRET))).isTrue();
    assertThat(old.seal("acme", SECRET)).as("a fresh nonce per seal").isNotEqualTo(sealed);
  }

  @Test
  void aSealedSecretOpensOnlyForItsOwnEndpointAndUnaltered() {
    SecretBox box = SecretBox.of(List.of(KEY_1));
    String sealed = box.seal("acme", SECRET);
    assertThatThrownBy(() -> box.open("globex", sealed))
        .hasMessageContaining("does not open").hasMessageContaining("another endpoint").hasMessageNotContaining(SECRET);
    byte[] data = Base64.getDecoder().decode(sealed.substring(sealed.indexOf(':') + 1));
    data[data.length - 1] ^= 1;
    String altered = box.keyId() + ":" + Base64.getEncoder().encodeToString(data);
    assertThatThrownBy(() -> box.open("acme", altered)).hasMessageContaining("altered");
  }

  @Test
  void aMissingKeyIsNamedByItsId() {
    String sealed = SecretBox.of(List.of(KEY_1)).seal("acme", SECRET);
    SecretBox other = SecretBox.of(List.of(KEY_2));
    assertThatThrownBy(() -> other.open("acme", sealed))
        .hasMessageContaining("sealed with key " + sealed.substring(0, 8))
        .hasMessageContaining("runtime-endpoints.encryption-keys");
  }

  @Test
  void keysMustBe32Bytes() {
    assertThatThrownBy(() -> SecretBox.of(List.of(new byte[16])))
        .hasMessageContaining("encryption-keys[0] must be 32 bytes");
    assertThatThrownBy(() -> SecretBox.of(List.of())).hasMessageContaining("at least one key");
    assertThat(SecretBox.of(List.of(KEY_1)).toString()).doesNotContain("0123456789abcdef");
  }
}
