/** Engine metric names and meters, in one place. */
@NullMarked
package dev.relay.engine.metrics;

import org.jspecify.annotations.NullMarked;
