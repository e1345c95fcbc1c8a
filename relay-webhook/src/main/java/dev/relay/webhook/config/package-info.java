/** Validated configuration records for webhook delivery; messages name the offending key. */
@NullMarked
package dev.relay.webhook.config;

import org.jspecify.annotations.NullMarked;
