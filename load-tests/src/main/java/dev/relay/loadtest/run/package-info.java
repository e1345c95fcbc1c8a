/**
 * The end-to-end machinery scenarios compose: a {@link dev.relay.loadtest.run.Workbench} (receiver,
 * relay spec, publisher, database), a {@link dev.relay.loadtest.run.Fleet} of relay clusters, the
 * three kinds of measured phase ({@link dev.relay.loadtest.run.DrainPhase}, {@link
 * dev.relay.loadtest.run.OpenLoopPhase}, {@link dev.relay.loadtest.run.RoundTripPhase}) and the
 * ceilings ({@link dev.relay.loadtest.run.CeilingRuns}).
 */
@NullMarked
package dev.relay.loadtest.run;

import org.jspecify.annotations.NullMarked;
