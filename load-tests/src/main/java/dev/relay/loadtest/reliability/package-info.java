/**
 * {@code relay-load reliability <name|all>}: the packaged relay under the faults production deals
 * out (processes killed, Postgres restarted or unreachable, its connections terminated or used up,
 * receivers failing in every way, a long transaction holding back vacuum), each a {@link
 * dev.relay.loadtest.reliability.FaultScenario} with pass criteria taken from the design's
 * invariants: nothing lost, duplicates only where a relay died or lost its lease (and at most the
 * bound), recovery without a restart. {@link dev.relay.loadtest.reliability.ReliabilityScenario}
 * runs one or all and prints one table.
 */
@NullMarked
package dev.relay.loadtest.reliability;

import org.jspecify.annotations.NullMarked;
