/** Dead letters: list, count, replay, discard; replay of messages since a time. */
@NullMarked
package dev.relay.engine.deadletter;

import org.jspecify.annotations.NullMarked;
