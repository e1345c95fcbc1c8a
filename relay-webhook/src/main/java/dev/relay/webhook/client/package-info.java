/** One HTTP attempt over Reactor Netty: pooled, deadline-bounded, response body read capped. Internal. */
@NullMarked
package dev.relay.webhook.client;

import org.jspecify.annotations.NullMarked;
