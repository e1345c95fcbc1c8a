package dev.relay.engine;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Proves BlockHound is active in this module's tests, so the other tests would catch blocking. */
class BlockHoundTest {
  @Test
  void blockingOnANonBlockingThreadFails() {
    assertThatThrownBy(() -> Mono.delay(Duration.ofMillis(1))
            .doOnNext(x -> {
              try {
                Thread.sleep(1);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            })
            .subscribeOn(Schedulers.parallel())
            .block(Duration.ofSeconds(5)))
        .hasMessageContaining("Blocking call");
  }
}
