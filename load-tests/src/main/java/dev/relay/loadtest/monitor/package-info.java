/**
 * Time series of a running phase: {@link dev.relay.loadtest.monitor.PhaseSampler} reads, every
 * interval, what was published and delivered, the latency percentiles of the interval, the
 * backlog and dead tuples in Postgres, and the relays' CPU and memory, into {@link
 * dev.relay.loadtest.monitor.Sample}s for the report's charts.
 */
@NullMarked
package dev.relay.loadtest.monitor;

import org.jspecify.annotations.NullMarked;
