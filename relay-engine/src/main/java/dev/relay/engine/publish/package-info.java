/** Publishing from Java through the same SQL function applications call. */
@NullMarked
package dev.relay.engine.publish;

import org.jspecify.annotations.NullMarked;
