/**
 * Network faults between a relay and its database: {@link dev.relay.loadtest.proxy.BlackholeProxy}
 * forwards a local port to Postgres and can stop forwarding without closing anything.
 */
@NullMarked
package dev.relay.loadtest.proxy;

import org.jspecify.annotations.NullMarked;
