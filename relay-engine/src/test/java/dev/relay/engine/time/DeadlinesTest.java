package dev.relay.engine.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class DeadlinesTest {

  @Test
  void aSourceThatNeverAnswersFailsWithTheGivenError() {
    AtomicBoolean cancelled = new AtomicBoolean();
    Mono<String> never = Mono.<String>never().doOnCancel(() -> cancelled.set(true));

    StepVerifier.create(Deadlines.within(never, Duration.ofMillis(50), Deadlines.wheel(), TimeoutException::new))
        .expectError(TimeoutException.class)
        .verify(Duration.ofSeconds(10));
    assertThat(cancelled).as("the late source is cancelled").isTrue();
  }

  @Test
  void anAnswerInTimePassesThroughAndTheDeadlineNeverFires() throws InterruptedException {
    StepVerifier.create(Deadlines.within(Mono.just("ok"), Duration.ofMillis(20), Deadlines.wheel(),
            () -> new AssertionError("the deadline fired after the answer")))
        .expectNext("ok")
        .verifyComplete();
    Thread.sleep(100);
  }

  @Test
  void aStreamKeepsItsItemsUntilTheDeadlineAndIsThenCancelled() {
    AtomicBoolean cancelled = new AtomicBoolean();
    Flux<Integer> slowTail = Flux.concat(Flux.just(1, 2), Mono.never()).doOnCancel(() -> cancelled.set(true));

    // A second: the items come at once, but a loaded machine can stall between them for tens of ms.
    StepVerifier.create(Deadlines.within(slowTail, Duration.ofSeconds(1), Deadlines.wheel(), TimeoutException::new))
        .expectNext(1, 2)
        .expectError(TimeoutException.class)
        .verify(Duration.ofSeconds(10));
    assertThat(cancelled).isTrue();
  }

  @Test
  void theDeadlineCoversTheWholeStreamNotEachItem() {
    Flux<Long> ticking = Flux.interval(Duration.ofMillis(20)).take(1000);

    StepVerifier.create(Deadlines.within(ticking, Duration.ofMillis(200), Deadlines.wheel(), TimeoutException::new))
        .thenConsumeWhile(tick -> true)
        .expectError(TimeoutException.class)
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void immediateWorkRunsOffTheWheelThread() {
    String thread = Mono.fromCallable(() -> Thread.currentThread().getName())
        .subscribeOn(Deadlines.wheel())
        .block(Duration.ofSeconds(10));

    assertThat(thread).doesNotContain("relay-deadlines");
  }

  @Test
  void aFiredDeadlineRunsOffTheWheelThread() {
    // Every deadline in the JVM shares the wheel's one thread: work done when one fires must not run on it.
    String thread = Mono.delay(Duration.ofMillis(10), Deadlines.wheel())
        .map(tick -> Thread.currentThread().getName())
        .block(Duration.ofSeconds(10));
    String timedOut = Deadlines.within(Mono.<String>never(), Duration.ofMillis(10), Deadlines.wheel(), TimeoutException::new)
        .onErrorResume(TimeoutException.class, e -> Mono.just(Thread.currentThread().getName()))
        .block(Duration.ofSeconds(10));

    assertThat(thread).doesNotContain("relay-deadlines").startsWith("parallel-");
    assertThat(timedOut).doesNotContain("relay-deadlines").startsWith("parallel-");
  }
}
