/**
 * {@code runtime-endpoints}: what a relay holds in memory when the database has many runtime
 * endpoints and only some of them receive deliveries (issue 13: RSS with 100,000 endpoints, 1,000
 * of them active), read from the packaged relay's {@code /proc} status and its own {@code
 * /metrics}, each stage beside the baseline of the same relay.
 */
@NullMarked
package dev.relay.loadtest.footprint;

import org.jspecify.annotations.NullMarked;
