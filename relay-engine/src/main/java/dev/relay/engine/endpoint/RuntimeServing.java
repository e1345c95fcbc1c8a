package dev.relay.engine.endpoint;

/**
 * Whether this relay serves the endpoints managed at runtime ({@code relay.create_endpoint}, the
 * admin API), and how they appear in its metrics.
 *
 * @param serve claim and deliver runtime endpoints (the relay has a key to open their secrets)
 * @param ownSeries give each runtime endpoint its own series ({@code endpoint} label); when false
 *     they share one series labelled {@code _runtime}, so 100,000 endpoints stay a handful of
 *     series. Configured endpoints always have their own.
 */
public record RuntimeServing(boolean serve, boolean ownSeries) {
  public static final RuntimeServing OFF = new RuntimeServing(false, false);
}
