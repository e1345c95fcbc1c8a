package dev.relay.loadtest.receiver;

/**
 * One verified request the receiver accepted (answered, or is about to answer, 2xx).
 *
 * @param path the request path without the leading slash (the endpoint's name in generated configs)
 * @param webhookId the {@code webhook-id} header: the event id
 * @param arrivalNanos {@link System#nanoTime()} when the whole body had arrived
 * @param publishedAtNanos the payload's {@code publishedAtNanos} (the intended send time on the
 *     same clock, when the publisher runs in this JVM), or {@link #UNKNOWN}
 * @param bodyBytes body length
 */
public record Arrival(String path, String webhookId, long arrivalNanos, long publishedAtNanos, int bodyBytes) {
  public static final long UNKNOWN = Long.MIN_VALUE;

  public boolean hasPublishedAt() {
    return publishedAtNanos != UNKNOWN;
  }
}
