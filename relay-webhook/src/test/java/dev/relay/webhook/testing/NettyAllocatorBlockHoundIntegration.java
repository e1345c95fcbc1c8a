package dev.relay.webhook.testing;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Netty 4.2's default {@code AdaptivePoolingAllocator} briefly takes a {@code StampedLock} when it
 * grows or retires a magazine under contention; BlockHound sees the park and reports it, though
 * it is short synchronisation inside the allocator, not I/O (the same false positive is allowed
 * by other Netty users, e.g. armeria PR 6344). Only those two methods are exempted; everything
 * else, including all of relay's code, stays checked. Loaded by ServiceLoader when
 * blockhound-junit-platform installs BlockHound.
 */
public final class NettyAllocatorBlockHoundIntegration implements BlockHoundIntegration {

  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside(
        "io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
    builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
  }
}
