package dev.relay.loadtest.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.loadtest.receiver.Arrival;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {
  private final EventIds ids = new EventIds("d1");
  private final DeliveryLedger ledger = new DeliveryLedger(ids, 100);

  private void arrive(String id, long at, long publishedAt) {
    ledger.onArrival(new Arrival("ep", id, at, publishedAt, 10));
  }

  @Test
  void firstArrivalsDuplicatesAndForeignIdsAreToldApart() {
    arrive("d1-0", 10, 0);
    arrive("d1-1", 20, 0);
    arrive("d1-0", 30, 0);
    arrive("d2-0", 40, 0);
    arrive("d1-100", 50, 0);

    assertThat(ledger.counts()).isEqualTo(new LedgerCounts(2, 1, 2));
  }

  @Test
  void missingIdsAreCountedExactlyWithASample() {
    for (int i = 0; i < 100; i++) {
      if (i != 7 && i != 93) {
        arrive(ids.id(i), i, 0);
      }
    }

    DeliveryLedger.Missing missing = ledger.missing(100, 5);

    assertThat(missing.count()).isEqualTo(2);
    assertThat(missing.sample()).containsExactly("d1-7", "d1-93");
    assertThat(ledger.missing(50, 5).count()).isEqualTo(1);
  }

  @Test
  void completesAtTheArrivalOfTheLastExpectedId() {
    ledger.expect(2);
    arrive("d1-5", 1_000, 0);
    assertThat(ledger.completedAtNanos()).isEmpty();

    arrive("d1-6", 2_000, 0);

    assertThat(ledger.completedAtNanos()).hasValue(2_000);
  }

  @Test
  void latencyIsArrivalMinusThePublishTimeOfFirstArrivalsOnly() {
    arrive("d1-0", 5_000_000, 1_000_000);
    arrive("d1-0", 900_000_000, 1_000_000);
    arrive("d1-1", 2_000_000, Arrival.UNKNOWN);

    LatencySummary l = ledger.latency().total();

    assertThat(l.count()).isEqualTo(1);
    assertThat(l.max()).isBetween(3.99, 4.01);
  }

  @Test
  void latencyAfterCommitCountsFromTheCommitWhicheverCameFirst() {
    ledger.committed(java.util.List.of("d1-0", "d1-1"), 1_000_000);
    arrive("d1-0", 3_000_000, 0);
    arrive("d1-2", 9_000_000, 0);
    ledger.committed(java.util.List.of("d1-2"), 5_000_000);

    LatencySummary l = ledger.afterCommit();

    assertThat(l.count()).isEqualTo(2);
    assertThat(l.p50()).isBetween(1.99, 2.01);
    assertThat(l.max()).isBetween(3.99, 4.01);
  }

  @Test
  void aWaiterCompletesWhenItsIdArrives() throws Exception {
    var arrival = ledger.arrivalOf(3);
    assertThat(arrival).isNotDone();

    arrive("d1-3", 77, 0);

    assertThat(arrival.get(1, TimeUnit.SECONDS)).isEqualTo(77);
  }

  @Test
  void idsOfOtherTagsOrMalformedAreNotOurs() {
    assertThat(ids.seq("d1-42")).isEqualTo(42);
    assertThat(ids.seq("d10-42")).isEqualTo(-1);
    assertThat(ids.seq("d1-")).isEqualTo(-1);
    assertThat(ids.seq("d1-4x")).isEqualTo(-1);
    assertThat(ids.seq("msg_abc")).isEqualTo(-1);
  }
}
