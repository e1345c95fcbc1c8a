/** Cheap deadlines for the hot path: one shared timer wheel. */
@NullMarked
package dev.relay.engine.time;

import org.jspecify.annotations.NullMarked;
