package dev.relay.loadtest.ceiling;

/**
 * A measured rate.
 *
 * @param events how many were moved
 * @param seconds how long it took
 * @param perSecond events / seconds
 * @param how what exactly was measured, for the report
 */
public record Throughput(long events, double seconds, double perSecond, String how) {
  public static Throughput of(long events, double seconds, String how) {
    return new Throughput(events, seconds, seconds <= 0 ? 0 : events / seconds, how);
  }
}
