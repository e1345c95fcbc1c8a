package dev.relay.loadtest.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricTotalsTest {
  private static final String SCRAPE = """
      # HELP relay_deliveries_delivered_total Delivered
      # TYPE relay_deliveries_delivered_total counter
      relay_deliveries_delivered_total{endpoint="ep-0000"} 30.0
      relay_deliveries_delivered_total{endpoint="ep-0001"} 12.0
      relay_claim_duration_seconds_count 4.0
      relay_claim_duration_seconds_sum 0.032
      relay_backlog_deliveries{endpoint="a b"} NaN
      """;

  @Test
  void samplesAreSummedOverLabelSetsAndRelays() {
    MetricTotals one = MetricTotals.parse(SCRAPE);

    assertThat(one.get("relay_deliveries_delivered_total")).isEqualTo(42.0);
    assertThat(one.plus(one).get("relay_claim_duration_seconds_count")).isEqualTo(8.0);
    assertThat(one.get("relay_backlog_deliveries")).isZero();
    assertThat(one.get("missing")).isZero();
  }

  @Test
  void aPhaseIsTheDifferenceOfTwoScrapes() {
    MetricTotals before = MetricTotals.parse("relay_claim_duration_seconds_count 4.0\n");
    MetricTotals after = MetricTotals.parse("relay_claim_duration_seconds_count 10.0\n");

    assertThat(after.minus(before).get("relay_claim_duration_seconds_count")).isEqualTo(6.0);
  }
}
