package dev.relay.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Proves the other tests run with BlockHound installed (blockhound-junit-platform). */
class BlockHoundActiveTest {

  @Test
  void blockingOnANonBlockingThreadFails() {
    Mono<String> sleeper =
        Mono.fromCallable(() -> {
              Thread.sleep(1);
              return "slept";
            })
            .subscribeOn(Schedulers.parallel());
    Throwable thrown = catchThrowable(() -> sleeper.block(Duration.ofSeconds(5)));
    assertThat(thrown instanceof BlockingOperationError
            || thrown.getCause() instanceof BlockingOperationError)
        .as("BlockingOperationError expected, got %s", thrown)
        .isTrue();
  }
}
