/**
 * The SSRF guard: which addresses a webhook may connect to. Enforced on the address actually
 * connected to, after DNS resolution, by a resolver wrapper and a connect-time pipeline check.
 */
@NullMarked
package dev.relay.webhook.ssrf;

import org.jspecify.annotations.NullMarked;
