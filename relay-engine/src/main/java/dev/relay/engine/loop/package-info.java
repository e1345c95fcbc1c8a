/** The delivery loop: claim with a lease, attempt, settle fenced by the lease. */
@NullMarked
package dev.relay.engine.loop;

import org.jspecify.annotations.NullMarked;
