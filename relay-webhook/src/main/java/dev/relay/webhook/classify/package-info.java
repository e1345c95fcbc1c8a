/** The one place where HTTP responses and errors become {@link dev.relay.engine.spi.Outcome}s. Internal. */
@NullMarked
package dev.relay.webhook.classify;

import org.jspecify.annotations.NullMarked;
