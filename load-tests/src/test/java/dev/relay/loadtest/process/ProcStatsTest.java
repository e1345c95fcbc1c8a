package dev.relay.loadtest.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatsTest {

  @Test
  void cpuIsUserPlusSystemTicksAfterTheCommandName() {
    String stat = "4242 (java (relay)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 150 0 0 20 0 40 0 100 0 0";

    assertThat(ProcStats.cpuNanos(stat)).isEqualTo(400 * 10_000_000L);
  }

  @Test
  void machineBusyTimeLeavesOutIdleAndIoWait() {
    // user nice system idle iowait irq softirq steal guest guest_nice
    String cpu = "cpu  100 20 30 5000 400 6 7 8 0 0";

    assertThat(ProcStats.busyNanos(cpu)).isEqualTo((100 + 20 + 30 + 6 + 7 + 8) * 10_000_000L);
    assertThat(ProcStats.machineBusyNanos()).isPositive();
  }

  @Test
  void memoryComesFromStatusInKilobytes() {
    String status = "Name:\tjava\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";

    assertThat(ProcStats.kiloBytes(status, "VmRSS:")).isEqualTo(102_400);
    assertThat(ProcStats.kiloBytes(status, "VmHWM:")).isEqualTo(204_800);
  }

  @Test
  void thisProcessCanBeRead() {
    ProcSample self = ProcStats.read(ProcessHandle.current().pid());

    assertThat(self.rssBytes()).isPositive();
    assertThat(self.peakRssBytes()).isGreaterThanOrEqualTo(self.rssBytes());
  }
}
