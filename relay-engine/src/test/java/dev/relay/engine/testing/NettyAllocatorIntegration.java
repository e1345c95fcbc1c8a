package dev.relay.engine.testing;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Netty 4.2's adaptive buffer allocator briefly takes a StampedLock when it grows its magazines,
 * on the event loop by design. BlockHound reports that park as blocking; it is Netty's internal
 * bookkeeping, not ours, so it is allowed. Loaded by ServiceLoader in every module that has the
 * engine's test-jar on its test classpath.
 */
public final class NettyAllocatorIntegration implements BlockHoundIntegration {
  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
    builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
  }
}
