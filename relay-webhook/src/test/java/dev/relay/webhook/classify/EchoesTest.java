package dev.relay.webhook.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.spi.Exchange;
import dev.relay.engine.spi.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EchoesTest {
  @Test
  void sentValuesQuotedBackByTheReceiverAreHiddenInTheReason() {
    Outcome quoted = Outcome.retry("HTTP 500: headers were [X-Api-Key=k3y-12345, webhook-signature=v1,abcdefgh]",
        500, null);
    Outcome scrubbed = Echoes.scrub(quoted, List.of("k3y-12345", "v1,abcdefgh", "ok"));
    assertThat(((Outcome.Retry) scrubbed).reason())
        .isEqualTo("HTTP 500: headers were [X-Api-Key=***, webhook-signature=***]");
    assertThat(((Outcome.Retry) scrubbed).statusCode()).isEqualTo(500);
  }

  @Test
  void sentValuesQuotedBackAreHiddenInTheResponseExcerptToo() {
    Exchange seen = new Exchange(Instant.EPOCH, Duration.ofMillis(3), "you sent Authorization: Bearer t0ken-123");
    Outcome delivered = Outcome.delivered(200).with(seen);
    Outcome scrubbed = Echoes.scrub(delivered, List.of("Bearer t0ken-123"));
    assertThat(scrubbed.exchange().responseExcerpt()).isEqualTo("you sent Authorization: ***");
    assertThat(scrubbed.exchange().startedAt()).isEqualTo(Instant.EPOCH);
    Outcome retry = Echoes.scrub(Outcome.retry("HTTP 500: Bearer t0ken-123", 500, null).with(seen),
        List.of("Bearer t0ken-123"));
    assertThat(((Outcome.Retry) retry).reason()).isEqualTo("HTTP 500: ***");
    assertThat(retry.exchange().responseExcerpt()).isEqualTo("you sent Authorization: ***");
  }

  @Test
  void shortValuesAndOtherOutcomesAreLeftAlone() {
    Outcome terminal = Outcome.terminal("HTTP 400: ok", 400);
    assertThat(Echoes.scrub(terminal, List.of("ok"))).isSameAs(terminal);
    Outcome delivered = Outcome.delivered(200);
    assertThat(Echoes.scrub(delivered, List.of("anything"))).isSameAs(delivered);
  }
}
