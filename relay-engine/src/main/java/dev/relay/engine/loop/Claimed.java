package dev.relay.engine.loop;

import dev.relay.engine.spi.Delivery;
import java.util.UUID;

/** A delivery this relay holds, with the lease token that fences its settle. */
record Claimed(Delivery delivery, UUID lease) {}
