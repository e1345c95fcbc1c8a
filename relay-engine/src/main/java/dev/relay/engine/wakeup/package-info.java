/** LISTEN/NOTIFY wakeups over a dedicated, self-healing connection. */
@NullMarked
package dev.relay.engine.wakeup;

import org.jspecify.annotations.NullMarked;
