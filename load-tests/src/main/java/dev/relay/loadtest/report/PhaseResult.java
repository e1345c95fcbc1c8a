package dev.relay.loadtest.report;

import dev.relay.loadtest.ledger.LatencySummary;
import dev.relay.loadtest.monitor.Sample;
import java.util.List;

/**
 * One measured phase.
 *
 * @param name e.g. "drain", "steady 2000/s", "multi: 3 relays"
 * @param load what was offered, in words
 * @param relays relay processes
 * @param endpoints endpoints configured
 * @param scheduled events the phase meant to publish (more than published when an open-loop
 *     publisher fell behind and was cut off)
 * @param correctness what arrived, by id
 * @param seconds measured window: resume (or first send) to the last first arrival
 * @param throughput distinct deliveries per second over that window
 * @param latency publish (intended time) to arrival of each first arrival
 * @param afterCommit from the publish's commit (as the publisher saw it return) to the first
 *     arrival: the relay's share of the latency
 * @param publishLag how late publish calls started compared with their intended time
 * @param firstArrivalMillis from the start of the window to the first arrival
 * @param peakBacklog largest pending count sampled
 * @param backlogGrowthPerSecond slope of the backlog over the second half of an open-loop
 *     phase's publishing (0 for other phases): positive means the relay falls behind
 * @param catchUpSeconds open loop: from the last publish to the last arrival (-1: never caught up;
 *     0 for other phases)
 * @param usage the relays' CPU and memory
 * @param ratios throughput as a fraction of the ceilings
 * @param samples the time series
 * @param notes anything a reader should know about this phase
 */
public record PhaseResult(String name, String load, int relays, int endpoints, long scheduled, Correctness correctness,
    double seconds, double throughput, LatencySummary latency, LatencySummary afterCommit, LatencySummary publishLag,
    double firstArrivalMillis,
    long peakBacklog, double backlogGrowthPerSecond, double catchUpSeconds, RelayUsage usage, Ratios ratios,
    List<Sample> samples, List<String> notes) {

  public PhaseResult {
    samples = List.copyOf(samples);
    notes = List.copyOf(notes);
  }

  /** A phase measured only as throughput (engine benchmarks): everything delivered, no time series. */
  public static PhaseResult ofThroughput(String name, String load, int endpoints, long events, double seconds) {
    Correctness all = new Correctness(events, events, 0, 0, 0, 0, false, false, List.of());
    return new PhaseResult(name, load, 0, endpoints, events, all, seconds, events / seconds, LatencySummary.EMPTY,
        LatencySummary.EMPTY, LatencySummary.EMPTY, -1, 0, 0, 0, new RelayUsage(0, 0, 0), Ratios.NONE, List.of(), List.of());
  }

  /** A phase judged only by what arrived (a reliability scenario): no latency or time series. */
  public static PhaseResult ofOutcome(String name, String load, Correctness correctness, double seconds,
      List<String> notes) {
    return new PhaseResult(name, load, 0, 0, correctness.published(), correctness, seconds,
        correctness.delivered() / Math.max(1e-9, seconds), LatencySummary.EMPTY, LatencySummary.EMPTY,
        LatencySummary.EMPTY, -1, 0, 0, 0, new RelayUsage(0, 0, 0), Ratios.NONE, List.of(), notes);
  }

  public PhaseResult withRatios(Ratios newRatios) {
    return new PhaseResult(name, load, relays, endpoints, scheduled, correctness, seconds, throughput, latency,
        afterCommit, publishLag, firstArrivalMillis, peakBacklog, backlogGrowthPerSecond, catchUpSeconds, usage,
        newRatios, samples, notes);
  }

  public PhaseResult withScheduled(long newScheduled) {
    return new PhaseResult(name, load, relays, endpoints, newScheduled, correctness, seconds, throughput, latency,
        afterCommit, publishLag, firstArrivalMillis, peakBacklog, backlogGrowthPerSecond, catchUpSeconds, usage,
        ratios, samples, notes);
  }

  /** The publisher sent everything the phase scheduled. */
  public boolean offeredInFull() {
    return correctness.published() >= scheduled;
  }
}
