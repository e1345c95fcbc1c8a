package dev.relay.loadtest.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClaimHistogramTest {
  private static String metrics(long fast, long slow, long slowest) {
    return """
        # HELP relay_claim_duration_seconds Claim statement round trip
        relay_claim_duration_seconds_bucket{le="0.001"} %d
        relay_claim_duration_seconds_bucket{le="0.01"} %d
        relay_claim_duration_seconds_bucket{le="1.0"} %d
        relay_claim_duration_seconds_bucket{le="+Inf"} %d
        relay_claim_duration_seconds_count %d
        """.formatted(fast, fast + slow, fast + slow + slowest, fast + slow + slowest, fast + slow + slowest);
  }

  @Test
  void theClaimsBetweenTwoReadingsGiveTheirOwnPercentiles() {
    ClaimHistogram before = ClaimHistogram.parse(metrics(100, 0, 0));
    ClaimHistogram after = ClaimHistogram.parse(metrics(150, 40, 10));

    ClaimHistogram between = after.minus(before);

    assertThat(between.count()).isEqualTo(100);
    assertThat(between.quantileMillis(0.5)).isEqualTo(1.0);
    assertThat(between.quantileMillis(0.9)).isEqualTo(10.0);
    assertThat(between.quantileMillis(0.99)).isEqualTo(1000.0);
  }

  @Test
  void noClaimsReadZero() {
    ClaimHistogram h = ClaimHistogram.parse(metrics(5, 0, 0));

    assertThat(h.minus(h).quantileMillis(0.99)).isZero();
  }
}
