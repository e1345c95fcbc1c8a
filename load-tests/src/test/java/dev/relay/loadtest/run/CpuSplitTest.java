package dev.relay.loadtest.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuSplitTest {

  @Test
  void splitsTheMachinesCpuPerDeliveredEvent() {
    // 2,000 events: relay 0.3 s, this tool 0.1 s, the machine 0.7 s busy in all.
    CpuSplit split = new CpuSplit(300_000_000L, 100_000_000L, 700_000_000L, 2_000);

    assertThat(split.describe()).isEqualTo("CPU per delivered event: relay 150 us, receiver and load tool 50 us, "
        + "rest of the machine (Postgres) 150 us");
  }

  @Test
  void saysNothingWhenACounterIsUnknownOrNothingArrived() {
    assertThat(new CpuSplit(300_000_000L, -1, 700_000_000L, 2_000).describe()).isEmpty();
    assertThat(new CpuSplit(300_000_000L, 100_000_000L, -1, 2_000).describe()).isEmpty();
    assertThat(new CpuSplit(300_000_000L, 100_000_000L, 700_000_000L, 0).describe()).isEmpty();
  }

  @Test
  void theRestIsNeverNegative() {
    // /proc/stat and the per-process counters tick separately: the sum may pass the machine's.
    assertThat(new CpuSplit(500_000_000L, 300_000_000L, 700_000_000L, 1_000).describe())
        .endsWith("rest of the machine (Postgres) 0 us");
  }
}
