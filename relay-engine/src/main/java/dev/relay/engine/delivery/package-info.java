/** Delivery look-ups for operators. */
@NullMarked
package dev.relay.engine.delivery;

import org.jspecify.annotations.NullMarked;
