package dev.relay.engine.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExchangeTest {
  private static String excerpt(String body) {
    return new Exchange(Instant.EPOCH, Duration.ZERO, body).responseExcerpt();
  }

  @Test
  void theExcerptIsCappedAndNeverSplitsASurrogatePair() {
    assertThat(excerpt("a".repeat(5000))).hasSize(Exchange.MAX_EXCERPT_CHARS);
    String emojiAtTheCut = "a".repeat(Exchange.MAX_EXCERPT_CHARS - 1) + "😀" + "tail";
    assertThat(excerpt(emojiAtTheCut)).isEqualTo("a".repeat(Exchange.MAX_EXCERPT_CHARS - 1));
  }

  @Test
  void controlCharactersButLineBreaksAndTabsBecomeReplacementCharacters() {
    assertThat(excerpt("ok\u0000\u001b[31m\tline\r\n")).isEqualTo("ok\uFFFD\uFFFD[31m\tline\r\n");
    String plain = "{\"ok\": true}";
    assertThat(excerpt(plain)).isSameAs(plain);
  }

  @Test
  void aNegativeDurationIsRefused() {
    assertThatThrownBy(() -> new Exchange(Instant.EPOCH, Duration.ofMillis(-1), null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
