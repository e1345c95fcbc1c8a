package dev.relay.loadtest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.loadtest.ledger.EventIds;
import java.util.List;
import org.junit.jupiter.api.Test;

class DueEventsTest {
  private final EventFactory events = new EventFactory(new EventIds("s1"), new Payloads(128),
      new Targets(List.of("ep-0000"), 1));

  @Test
  void eventsBecomeDueAtStartPlusSeqTimesPeriodAndKeepThatIntendedTime() {
    DueEvents due = new DueEvents(events, 1_000_000, 10, 100, 4, 5_000);

    List<List<OutboundEvent>> first = due.take(5_000 + 2_500_000);

    assertThat(first).singleElement().satisfies(b -> {
      assertThat(b).extracting(OutboundEvent::id).containsExactly("s1-0", "s1-1", "s1-2");
      assertThat(b).extracting(OutboundEvent::intendedNanos).containsExactly(5_000L, 1_005_000L, 2_005_000L);
    });
    assertThat(due.take(5_000 + 2_600_000)).isEmpty();
  }

  @Test
  void aLatePublisherGetsEveryDueEventInBoundedBatchesWithTheirOriginalTimes() {
    DueEvents due = new DueEvents(events, 1_000, 1_000, 3, 2, 0);

    List<List<OutboundEvent>> batches = due.take(1_000_000);

    assertThat(batches).hasSize(2).allSatisfy(b -> assertThat(b).hasSize(3));
    assertThat(batches.get(1).get(2).intendedNanos()).isEqualTo(5_000);
    assertThat(due.take(1_000_000).get(0).get(0).id()).isEqualTo("s1-6");
  }

  @Test
  void theScheduleEndsAfterTheLastEvent() {
    DueEvents due = new DueEvents(events, 10, 5, 100, 1, 0);

    assertThat(due.take(1_000).get(0)).hasSize(5);
    assertThat(due.exhausted()).isTrue();
  }

  @Test
  void payloadsCarryTheIntendedTimeAndHaveTheConfiguredSize() {
    String body = new Payloads(1024).body("s1-7", 123_456_789L);

    assertThat(body).startsWith("{\"id\":\"s1-7\",\"publishedAtNanos\":123456789,\"data\":\"xxx").hasSize(1024);
  }
}
