/**
 * The relay as users run it: {@link dev.relay.loadtest.process.RelayConfigFile} writes a
 * {@code relay.yaml} (configuration defaults plus the endpoints and any overrides), {@link
 * dev.relay.loadtest.process.RelayProcess} runs {@code java -jar relay.jar run} with it, waits for
 * readiness, calls the admin API, samples CPU and memory from {@code /proc}, and stops it with
 * SIGTERM or SIGKILL; {@link dev.relay.loadtest.process.RelayCluster} does that for several.
 */
@NullMarked
package dev.relay.loadtest.process;

import org.jspecify.annotations.NullMarked;
