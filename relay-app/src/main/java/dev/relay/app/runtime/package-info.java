/** Wiring a running relay: database, engine, deliverer, HTTP server, graceful shutdown. */
@NullMarked
package dev.relay.app.runtime;

import org.jspecify.annotations.NullMarked;
