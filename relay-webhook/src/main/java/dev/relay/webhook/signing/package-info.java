/** Standard Webhooks signing for senders and verification for receivers. */
@NullMarked
package dev.relay.webhook.signing;

import org.jspecify.annotations.NullMarked;
