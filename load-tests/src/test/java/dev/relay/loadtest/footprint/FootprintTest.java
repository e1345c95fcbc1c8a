package dev.relay.loadtest.footprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FootprintTest {
  private static final String METRICS = """
      # HELP jvm_memory_used_bytes The amount of used memory
      # TYPE jvm_memory_used_bytes gauge
      jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1048576.0
      jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2097152.0
      jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.9E7
      relay_deliveries_delivered_total{endpoint="ep-0000"} 20.0
      relay_deliveries_delivered_total{endpoint="_runtime"} 7.0
      relay_webhook_request_duration_seconds_count{endpoint="_runtime",outcome="delivered"} 7.0
      """;

  @Test
  void heapIsTheSumOfTheHeapPoolsAndSeriesAreTheSampleLines() {
    Footprint f = Footprint.of("baseline", 200 << 20, 250 << 20, METRICS, true);

    assertThat(f.heapUsedBytes()).isEqualTo(3 << 20);
    assertThat(f.series()).isEqualTo(6);
    assertThat(f.endpointLabels()).isEqualTo(2);
    assertThat(Footprint.of("none", 0, 0, "up 1\n", false).heapUsedBytes()).isEqualTo(-1);
  }

  @Test
  void theTableShowsEachStageAsARatioOfTheBaseline() {
    Footprint base = new Footprint("baseline", 200L << 20, 250L << 20, 20L << 20, 400, 2, true);
    Footprint idle = new Footprint("100,000 idle", 300L << 20, 320L << 20, 50L << 20, 400, 2, true);
    Footprint active = new Footprint("1,000 active", 310L << 20, 330L << 20, 60L << 20, 500, 3, false);

    String table = FootprintTable.render(List.of(base, idle, active));

    assertThat(table.lines().toList()).hasSize(4);
    assertThat(table).contains("100,000 idle", "300", "1.50x", "2.50x", "1.00x")
        .contains("1,000 active (no GC before)", "3.00x", "1.25x");
  }
}
