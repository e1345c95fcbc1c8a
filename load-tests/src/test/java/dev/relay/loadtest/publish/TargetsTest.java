package dev.relay.loadtest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TargetsTest {

  @Test
  void oneEndpointNamesNoneSoEventTypeRoutingDelivers() {
    assertThat(new Targets(List.of("ep-0000"), 1).endpointFor(7)).isNull();
  }

  @Test
  void zipfTrafficFavoursTheFirstEndpointsInProportion() {
    List<String> endpoints = IntStream.range(0, 100).mapToObj(i -> "ep-" + i).toList();
    Targets targets = new Targets(endpoints, 1.0);
    Map<String, Integer> counts = new HashMap<>();
    int n = 200_000;
    for (long seq = 0; seq < n; seq++) {
      counts.merge(targets.endpointFor(seq), 1, Integer::sum);
    }

    // H(100) = 5.187: endpoint 1 gets 19.3%, endpoint 2 half that, endpoint 100 0.19%.
    assertThat(targets.share(0)).isBetween(0.192, 0.194);
    assertThat(counts.get("ep-0") / (double) n).isBetween(0.185, 0.200);
    assertThat(counts.get("ep-1") / (double) n).isBetween(0.090, 0.103);
    assertThat(counts.get("ep-99") / (double) n).isBetween(0.0012, 0.0027);
  }

  @Test
  void theSameSeqAlwaysGoesToTheSameEndpoint() {
    Targets a = new Targets(List.of("a", "b", "c"), 0);
    Targets b = new Targets(List.of("a", "b", "c"), 0);

    assertThat(IntStream.range(0, 50).mapToObj(a::endpointFor).toList())
        .isEqualTo(IntStream.range(0, 50).mapToObj(b::endpointFor).toList());
  }
}
