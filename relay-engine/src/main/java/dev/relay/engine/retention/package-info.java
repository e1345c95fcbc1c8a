/** Retention: purging terminal rows past their window, in small batches. */
@NullMarked
package dev.relay.engine.retention;

import org.jspecify.annotations.NullMarked;
