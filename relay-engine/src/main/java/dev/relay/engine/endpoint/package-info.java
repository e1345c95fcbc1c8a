/** The endpoint mirror of the configuration, and its operator controls. */
@NullMarked
package dev.relay.engine.endpoint;

import org.jspecify.annotations.NullMarked;
