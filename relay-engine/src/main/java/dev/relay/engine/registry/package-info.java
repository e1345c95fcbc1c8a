/** Relay instances and the endpoints each serves: what claims and routing are derived from. */
@NullMarked
package dev.relay.engine.registry;

import org.jspecify.annotations.NullMarked;
