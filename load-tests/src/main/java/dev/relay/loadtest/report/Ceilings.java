package dev.relay.loadtest.report;

import dev.relay.loadtest.ceiling.Throughput;
import dev.relay.loadtest.ledger.LatencySummary;
import org.jspecify.annotations.Nullable;

/**
 * The ceilings measured in this run; null where not measured.
 *
 * @param database claim + settle looped inside Postgres
 * @param http signed POSTs straight to the receiver
 * @param theoreticalHttp concurrency / receiver delay, when the receiver delays every answer
 * @param databaseRoundTrip one-row publish → claim → settle inside Postgres (latency scenario)
 * @param httpRoundTrip one signed POST round trip (latency scenario)
 */
public record Ceilings(@Nullable Throughput database, @Nullable Throughput http, @Nullable Double theoreticalHttp,
    @Nullable LatencySummary databaseRoundTrip, @Nullable LatencySummary httpRoundTrip) {
  public static final Ceilings NONE = new Ceilings(null, null, null, null, null);

  /** Ratios of a throughput to these ceilings. */
  public Ratios ratios(double throughput) {
    return new Ratios(database == null ? null : throughput / database.perSecond(),
        http == null ? null : throughput / http.perSecond());
  }
}
