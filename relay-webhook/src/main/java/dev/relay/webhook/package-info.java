/** The HTTP webhook {@link dev.relay.engine.spi.Deliverer}: {@link dev.relay.webhook.WebhookDeliverer} is the entry point. */
@NullMarked
package dev.relay.webhook;

import org.jspecify.annotations.NullMarked;
