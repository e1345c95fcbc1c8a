package dev.relay.loadtest.run;

import dev.relay.loadtest.process.MetricTotals;
import java.util.Locale;

/** The relays' own account of a phase, from the difference of their /metrics before and after. */
final class RelayView {
  private RelayView() {}

  static String describe(MetricTotals d) {
    double claims = d.get("relay_claim_duration_seconds_count");
    double attempts = d.get("relay_webhook_request_duration_seconds_count");
    return String.format(Locale.ROOT, "relay metrics: %,.0f claims (mean %.1f ms, %.1f rows each), %,.0f HTTP "
            + "attempts (mean %.1f ms), %,.0f delivered, %,.0f retried",
        claims, mean(d, "relay_claim_duration_seconds") * 1000, ratio(d.get("relay_claim_batch_size_sum"),
            d.get("relay_claim_batch_size_count")), attempts,
        mean(d, "relay_webhook_request_duration_seconds") * 1000, d.get("relay_deliveries_delivered_total"),
        d.get("relay_deliveries_retried_total"));
  }

  private static double mean(MetricTotals d, String timer) {
    return ratio(d.get(timer + "_sum"), d.get(timer + "_count"));
  }

  private static double ratio(double a, double b) {
    return b == 0 ? 0 : a / b;
  }
}
