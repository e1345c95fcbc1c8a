package dev.relay.loadtest.monitor;

/**
 * One interval of a phase.
 *
 * @param t seconds since the phase started (end of the interval)
 * @param published events committed so far
 * @param delivered distinct events arrived so far
 * @param publishedPerSecond in this interval
 * @param deliveredPerSecond in this interval
 * @param p50 latency of this interval's first arrivals, ms (-1 when none arrived)
 * @param p90 ms
 * @param p99 ms
 * @param max ms
 * @param backlog pending deliveries (-1 if the database did not answer)
 * @param deadTuples dead tuples of the relay's tables (-1 if unknown)
 * @param rssMiB resident memory of the relays together
 * @param cpuPercent CPU of the relays together in this interval; 100 = one core
 */
public record Sample(double t, long published, long delivered, double publishedPerSecond,
    double deliveredPerSecond, double p50, double p90, double p99, double max, long backlog, long deadTuples,
    double rssMiB, double cpuPercent) {}
