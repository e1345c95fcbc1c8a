/** The one HTTP server: routes /metrics, /health and /admin, JSON and body helpers. */
@NullMarked
package dev.relay.app.http;

import org.jspecify.annotations.NullMarked;
