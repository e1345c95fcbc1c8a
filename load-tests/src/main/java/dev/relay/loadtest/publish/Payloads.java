package dev.relay.loadtest.publish;

/**
 * The load's JSON body, padded to a fixed size: {@code {"id":"…","publishedAtNanos":…,"data":"xx…"}}.
 * {@code publishedAtNanos} is the intended send time on this JVM's monotonic clock, which the
 * receiver (same JVM) subtracts from the arrival time: no clock skew.
 */
public record Payloads(int bytes) {
  public Payloads {
    if (bytes < 64 || bytes > 256 * 1024) {
      throw new IllegalArgumentException("--payload-bytes must be within 64..262144, was " + bytes);
    }
  }

  public String body(String id, long publishedAtNanos) {
    String head = "{\"id\":\"" + id + "\",\"publishedAtNanos\":" + publishedAtNanos + ",\"data\":\"";
    int pad = Math.max(0, bytes - head.length() - 2);
    return head + "x".repeat(pad) + "\"}";
  }
}
