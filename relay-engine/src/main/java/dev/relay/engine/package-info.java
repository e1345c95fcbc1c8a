/** The engine facade: start, stop, health, and the operator APIs. */
@NullMarked
package dev.relay.engine;

import org.jspecify.annotations.NullMarked;
