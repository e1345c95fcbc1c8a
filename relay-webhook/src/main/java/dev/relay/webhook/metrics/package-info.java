/** Webhook metric names (one place) and their recording. */
@NullMarked
package dev.relay.webhook.metrics;

import org.jspecify.annotations.NullMarked;
