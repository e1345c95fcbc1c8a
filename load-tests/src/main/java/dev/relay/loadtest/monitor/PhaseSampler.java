package dev.relay.loadtest.monitor;

import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.LatencySummary;
import dev.relay.loadtest.postgres.PostgresServer;
import dev.relay.loadtest.process.ProcSample;
import dev.relay.loadtest.publish.PublishProgress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples a phase every interval on a thread of its own until {@link #stop()}; keeps at most
 * {@value #MAX_SAMPLES} samples (a longer run should use a longer interval).
 */
public final class PhaseSampler implements AutoCloseable {
  static final int MAX_SAMPLES = 20_000;
  private static final Logger log = LoggerFactory.getLogger(PhaseSampler.class);

  private final DeliveryLedger ledger;
  private final PublishProgress progress;
  private final Supplier<ProcSample> relays;
  private final DatabaseProbe database;
  private final ScheduledExecutorService thread;
  private final List<Sample> samples = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private long lastNanos = startNanos;
  private long lastPublished;
  private long lastDelivered;
  private long lastCpuNanos;
  private long peakBacklog;

  private PhaseSampler(DeliveryLedger ledger, PublishProgress progress, Supplier<ProcSample> relays,
      PostgresServer server, String schema) {
    this.ledger = ledger;
    this.progress = progress;
    this.relays = relays;
    this.database = new DatabaseProbe(server, schema);
    this.lastCpuNanos = relays.get().cpuNanos();
    this.lastPublished = progress.published();
    this.lastDelivered = ledger.counts().unique();
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "phase-sampler");
      t.setDaemon(true);
      return t;
    });
  }

  public static PhaseSampler start(Duration interval, DeliveryLedger ledger, PublishProgress progress,
      Supplier<ProcSample> relays, PostgresServer server, String schema) {
    PhaseSampler s = new PhaseSampler(ledger, progress, relays, server, schema);
    s.thread.scheduleAtFixedRate(s::sampleSafely, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    return s;
  }

  private void sampleSafely() {
    try {
      sample();
    } catch (RuntimeException e) {
      log.warn("sample failed: {}", e.toString());
    }
  }

  private synchronized void sample() {
    long now = System.nanoTime();
    // The first sample (at the start) has no interval behind it: rates 0.
    double dt = Math.max(now - lastNanos, 1) / 1e9;
    boolean first = samples.isEmpty();
    long published = progress.published();
    long delivered = ledger.counts().unique();
    LatencySummary l = ledger.latency().interval();
    ProcSample p = relays.get();
    long backlog = database.backlog();
    peakBacklog = Math.max(peakBacklog, backlog);
    if (samples.size() < MAX_SAMPLES) {
      samples.add(new Sample((now - startNanos) / 1e9, published, delivered,
          first ? 0 : (published - lastPublished) / dt, first ? 0 : (delivered - lastDelivered) / dt,
          known(l, l.p50()), known(l, l.p90()), known(l, l.p99()), known(l, l.max()), backlog, database.deadTuples(), p.rssBytes() / 1048576.0,
          first ? 0 : 100.0 * Math.max(0, p.cpuNanos() - lastCpuNanos) / (dt * 1e9)));
    }
    lastNanos = now;
    lastPublished = published;
    lastDelivered = delivered;
    lastCpuNanos = p.cpuNanos();
  }

  /** A percentile of an interval, or -1 (unknown) when nothing arrived in it. */
  private static double known(LatencySummary interval, double value) {
    return interval.count() == 0 ? -1 : value;
  }

  /** Takes a last sample and stops; the samples so far. */
  public synchronized List<Sample> stop() {
    if (!thread.isShutdown()) {
      thread.shutdownNow();
      sample();
      database.close();
    }
    return List.copyOf(samples);
  }

  public synchronized long peakBacklog() {
    return peakBacklog;
  }

  @Override
  public void close() {
    stop();
  }
}
