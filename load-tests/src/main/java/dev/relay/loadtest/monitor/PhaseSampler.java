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
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "phase-sampler");
      t.setDaemon(true);
      return t;
    });
  }

  public static PhaseSampler start(Duration interval, DeliveryLedger ledger, PublishProgress progress,
      Supplier<ProcSample> relays, PostgresServer server, String schema) {
    PhaseSampler s = new PhaseSampler(ledger, progress, relays, server, schema);
    s.thread.scheduleAtFixedRate(s::sampleSafely, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
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
    double dt = (now - lastNanos) / 1e9;
    long published = progress.published();
    long delivered = ledger.counts().unique();
    LatencySummary l = ledger.latency().interval();
    ProcSample p = relays.get();
    long backlog = database.backlog();
    peakBacklog = Math.max(peakBacklog, backlog);
    if (samples.size() < MAX_SAMPLES) {
      samples.add(new Sample((now - startNanos) / 1e9, published, delivered, (published - lastPublished) / dt,
          (delivered - lastDelivered) / dt, l.p50(), l.p90(), l.p99(), l.max(), backlog, database.deadTuples(),
          p.rssBytes() / 1048576.0, 100.0 * Math.max(0, p.cpuNanos() - lastCpuNanos) / (now - lastNanos)));
    }
    lastNanos = now;
    lastPublished = published;
    lastDelivered = delivered;
    lastCpuNanos = p.cpuNanos();
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
