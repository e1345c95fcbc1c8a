/** Logging helpers that keep repeated failures from flooding the log. */
@NullMarked
package dev.relay.engine.logging;

import org.jspecify.annotations.NullMarked;
