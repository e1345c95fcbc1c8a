/** Engine-level benchmarks: the engine in this JVM with a no-op deliverer, no HTTP, no relay process. */
@NullMarked
package dev.relay.loadtest.engine;

import org.jspecify.annotations.NullMarked;
