package dev.relay.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WriteLedgerTest {

  @Test
  void perEventDividesWhatTheRunsWroteByTheEventsTheyPublished() {
    WriteLedger first = new WriteLedger(1_100, 20_000, 3_000_000, 2_000_000_000L, 1_000_000_000L)
        .since(new WriteLedger(100, 1_000, 200_000, 1_000_000_000L, 0));
    WriteLedger second = new WriteLedger(1_000, 18_000, 2_600_000, 1_000_000_000L, 1_000_000_000L)
        .since(new WriteLedger(0, 0, 0, 0, 0));

    assertThat(first.plus(second).perEvent(2_000))
        .isEqualTo("per event: 1.00 commits, 18.5 WAL records, 2,700 WAL bytes; 1.00 cores busy");
  }

  @Test
  void missingCountersSayNothingRatherThanSomethingWrong() {
    WriteLedger some = new WriteLedger(10, 10, 10, 10, 10);

    assertThat(WriteLedger.NONE.since(some).perEvent(100)).isEmpty();
    assertThat(some.since(WriteLedger.NONE).perEvent(100)).isEmpty();
    assertThat(some.plus(WriteLedger.NONE).perEvent(100)).isEmpty();
    assertThat(new WriteLedger(10, 10, 10, -1, 10).since(new WriteLedger(0, 0, 0, 0, 0)).perEvent(10))
        .isEqualTo("per event: 1.00 commits, 1.0 WAL records, 1 WAL bytes");
  }
}
