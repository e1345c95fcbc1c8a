package dev.relay.loadtest.run;

import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.LatencySummary;
import dev.relay.loadtest.monitor.PhaseSampler;
import dev.relay.loadtest.monitor.Sample;
import dev.relay.loadtest.process.MetricTotals;
import dev.relay.loadtest.process.ProcSample;
import dev.relay.loadtest.process.ProcStats;
import dev.relay.loadtest.process.RelayCluster;
import dev.relay.loadtest.publish.PublishProgress;
import dev.relay.loadtest.receiver.ReceiverCounts;
import dev.relay.loadtest.report.Correctness;
import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.Ratios;
import dev.relay.loadtest.report.RelayUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Watches one phase from {@link #start} to {@link #finish}: the sampler's time series, the
 * relays' CPU, the receiver's signature failures, and the ledger's exact counts.
 */
final class PhaseMeter {
  /** Extra wait after the last expected arrival, to catch late duplicates. */
  private static final long SETTLE_MILLIS = 500;

  private final Workbench bench;
  private final RelayCluster cluster;
  private final DeliveryLedger ledger;
  private final PublishProgress progress;
  private final PhaseSampler sampler;
  private final ReceiverCounts receiverBefore;
  private final long cpuBefore;
  private final long toolCpuBefore;
  private final long machineBefore;
  private final MetricTotals metricsBefore;
  private final long startNanos;

  private PhaseMeter(Workbench bench, RelayCluster cluster, DeliveryLedger ledger, PublishProgress progress)
      throws InterruptedException {
    this.bench = bench;
    this.cluster = cluster;
    this.ledger = ledger;
    this.progress = progress;
    this.receiverBefore = bench.receiver().counts();
    this.cpuBefore = cluster.sample().cpuNanos();
    this.toolCpuBefore = ownCpuNanos();
    this.machineBefore = ProcStats.machineBusyNanos();
    this.metricsBefore = cluster.metrics();
    this.sampler = PhaseSampler.start(bench.options().sampleInterval(), ledger, progress, cluster::sample,
        bench.postgres(), bench.schema());
    this.startNanos = System.nanoTime();
  }

  /** Starts sampling now; the phase's measured window starts now too. */
  static PhaseMeter start(Workbench bench, RelayCluster cluster, DeliveryLedger ledger, PublishProgress progress)
      throws InterruptedException {
    return new PhaseMeter(bench, cluster, ledger, progress);
  }

  long startNanos() {
    return startNanos;
  }

  /** What a finished phase measured, over the window from the start to {@code endNanos}. */
  Finished finish(boolean complete, long endNanos) throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS);
    long wall = System.nanoTime() - startNanos;
    List<Sample> samples = sampler.stop();
    ProcSample after = cluster.sample();
    long toolCpuAfter = ownCpuNanos();
    long machineAfter = ProcStats.machineBusyNanos();
    String relayView = RelayView.describe(cluster.metrics().minus(metricsBefore));
    long published = progress.published();
    DeliveryLedger.Missing missing = ledger.missing(published, 5);
    var counts = ledger.counts();
    String cpuSplit = new CpuSplit(after.cpuNanos() - cpuBefore,
        toolCpuBefore < 0 || toolCpuAfter < 0 ? -1 : toolCpuAfter - toolCpuBefore,
        machineBefore < 0 || machineAfter < 0 ? -1 : machineAfter - machineBefore, counts.unique()).describe();
    long badSignatures = bench.receiver().counts().badSignatures() - receiverBefore.badSignatures();
    Correctness correctness = new Correctness(published, counts.unique(), missing.count(), counts.duplicates(),
        counts.unexpected(), badSignatures, !complete, bench.receiver().schedule().mayCauseDuplicates(),
        missing.sample());
    double seconds = Math.max(1e-9, (endNanos - startNanos) / 1e9);
    double cpuSeconds = (after.cpuNanos() - cpuBefore) / 1e9;
    RelayUsage usage = new RelayUsage(cpuSeconds, 100 * cpuSeconds / (wall / 1e9), after.peakRssBytes() / 1048576.0);
    double firstArrival = ledger.earliestArrivalNanos().isPresent()
        ? (ledger.earliestArrivalNanos().getAsLong() - startNanos) / 1e6 : -1;
    return new Finished(correctness, seconds, counts.unique() / seconds, ledger.latency().total(),
        ledger.afterCommit(), progress.lag().total(), firstArrival, sampler.peakBacklog(), usage, samples,
        cpuSplit.isEmpty() ? relayView : relayView + "; " + cpuSplit);
  }

  /** CPU time of this process (receiver, publishers, sampler), or -1 where /proc is not there. */
  private static long ownCpuNanos() {
    ProcSample own = ProcStats.read(ProcessHandle.current().pid());
    return own == ProcSample.NONE ? -1 : own.cpuNanos();
  }

  /** The parts of a {@link PhaseResult} every kind of phase measures the same way. */
  record Finished(Correctness correctness, double seconds, double throughput, LatencySummary latency,
      LatencySummary afterCommit, LatencySummary publishLag, double firstArrivalMillis, long peakBacklog, RelayUsage usage, List<Sample> samples,
      String relayView) {

    /** The result, with the relay's own view of the phase (from its /metrics) as the first note. */
    PhaseResult result(String name, String load, int relays, int endpoints, double growth, double catchUp,
        List<String> notes) {
      List<String> all = new ArrayList<>();
      all.add(relayView);
      all.addAll(notes);
      return new PhaseResult(name, load, relays, endpoints, correctness.published(), correctness, seconds, throughput,
          latency, afterCommit, publishLag, firstArrivalMillis, peakBacklog, growth, catchUp, usage, Ratios.NONE, samples, all);
    }
  }
}
