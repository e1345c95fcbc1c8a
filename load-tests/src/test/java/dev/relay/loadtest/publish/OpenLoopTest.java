package dev.relay.loadtest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.loadtest.ledger.EventIds;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class OpenLoopTest {
  private final List<OutboundEvent> sent = new CopyOnWriteArrayList<>();
  private final EventFactory events = new EventFactory(new EventIds("s1"), new Payloads(128),
      new Targets(List.of("ep-0000"), 1));

  private Publisher publisherTaking(Duration perCall) {
    return new Publisher() {
      @Override
      public Mono<Void> publish(List<OutboundEvent> batch) {
        return Mono.delay(perCall).doOnNext(t -> sent.addAll(batch)).then();
      }

      @Override
      public String describe() {
        return "fake";
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void aFastPublisherSendsTheWholeScheduleOnTimeWithoutLag() {
    PublishProgress progress = new PublishProgress();

    new OpenLoop(events, 1000, 200, 1, 4).run(publisherTaking(Duration.ZERO), progress, Duration.ofSeconds(5))
        .block(Duration.ofSeconds(10));

    assertThat(progress.published()).isEqualTo(200);
    assertThat(sent).extracting(OutboundEvent::id).doesNotHaveDuplicates().hasSize(200);
    assertThat(progress.lag().total().p50()).isLessThan(50);
  }

  @Test
  void aSlowPublisherIsCutOffAfterTheOverrunHavingSentAPrefixWithItsLagRecorded() {
    PublishProgress progress = new PublishProgress();

    // 50 events due over 0.5 s, 5 per call of 200 ms: about 25 sent before the cut-off at 1 s.
    new OpenLoop(events, 100, 50, 5, 1).run(publisherTaking(Duration.ofMillis(200)), progress,
        Duration.ofMillis(500)).block(Duration.ofSeconds(10));

    long published = progress.published();
    assertThat(published).isBetween(1L, 49L);
    assertThat(sent).extracting(OutboundEvent::id)
        .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.range(0, published).mapToObj(i -> "s1-" + i)
            .toList());
    assertThat(progress.lag().total().max()).isGreaterThan(200);
  }
}
