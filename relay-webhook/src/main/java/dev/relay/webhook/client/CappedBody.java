package dev.relay.webhook.client;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Counts the body bytes of one response and keeps the first few. Confined to the connection's
 * event loop (one per subscription, fed serially by the inbound flux), so it needs no locking.
 */
final class CappedBody {

  private final long cap;
  private final byte[] kept;
  private int keptLength;
  private long read;
  private boolean stopped;

  CappedBody(long cap, int keep) {
    this.cap = cap;
    this.kept = new byte[keep];
  }

  /** Copies what is still wanted out of {@code chunk}; the caller's framework releases it. */
  void add(ByteBuf chunk) {
    int readable = chunk.readableBytes();
    int wanted = Math.min(readable, kept.length - keptLength);
    if (wanted > 0) {
      chunk.getBytes(chunk.readerIndex(), kept, keptLength, wanted);
      keptLength += wanted;
    }
    read += readable;
  }

  /** True once more than the cap was read: stop and close rather than drain. */
  boolean overCap() {
    return read > cap;
  }

  /** Reading stopped before the end of the body (too slow): what was read is all there is. */
  void stopEarly() {
    stopped = true;
  }

  /** True if the body was cut off: over the cap, or too slow. */
  boolean stoppedEarly() {
    return stopped || overCap();
  }

  long bytesRead() {
    return read;
  }

  String start() {
    return new String(Arrays.copyOf(kept, keptLength), StandardCharsets.UTF_8);
  }
}
