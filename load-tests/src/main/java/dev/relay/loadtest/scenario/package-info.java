/**
 * The named scenarios and how they are found: {@link dev.relay.loadtest.scenario.Scenarios} maps
 * a name to a {@link dev.relay.loadtest.scenario.Scenario}; add one by implementing the
 * interface and registering it there.
 */
@NullMarked
package dev.relay.loadtest.scenario;

import org.jspecify.annotations.NullMarked;
