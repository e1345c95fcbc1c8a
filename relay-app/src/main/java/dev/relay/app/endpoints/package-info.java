/**
 * Endpoints managed at runtime, as a relay serves them: their signing secrets sealed at rest
 * ({@link dev.relay.app.endpoints.SecretBox}), looked up on first delivery ({@link
 * dev.relay.app.endpoints.RuntimeDirectory}), kept fresh on change notifications and polls ({@link
 * dev.relay.app.endpoints.RuntimeWatcher}).
 */
@NullMarked
package dev.relay.app.endpoints;

import org.jspecify.annotations.NullMarked;
