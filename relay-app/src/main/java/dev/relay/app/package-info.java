/** Entry point of the relay executable. */
@NullMarked
package dev.relay.app;

import org.jspecify.annotations.NullMarked;
