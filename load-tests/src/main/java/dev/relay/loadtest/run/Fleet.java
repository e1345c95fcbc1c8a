package dev.relay.loadtest.run;

import dev.relay.loadtest.process.RelayCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The relay clusters of a run: each started (and warmed up) on the workbench's spec with its
 * logs in {@code out/relays-K/}, stopped with SIGTERM, exit codes kept for the report.
 */
public final class Fleet implements AutoCloseable {
  private static final Duration STOP_WAIT = Duration.ofSeconds(45);
  private final Workbench bench;
  private final List<RelayCluster> running = new ArrayList<>();
  private final List<Integer> exitCodes = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private int started;

  public Fleet(Workbench bench) {
    this.bench = bench;
  }

  /** Starts {@code relays} relays, waits until they are ready, then warms them up. */
  public RelayCluster start(int relays) throws Exception {
    bench.context().say("starting %d relay(s) from %s", relays, bench.spec().jar().getFileName());
    Path dir = bench.context().out().resolve("relays-" + (++started));
    java.nio.file.Files.createDirectories(dir);
    RelayCluster cluster = RelayCluster.start(bench.spec(), relays, dir);
    running.add(cluster);
    Warmup.run(bench).ifPresent(notes::add);
    return cluster;
  }

  /** SIGTERM to the cluster's relays; their exit codes go to the report. */
  public void stop(RelayCluster cluster) throws InterruptedException {
    if (running.remove(cluster)) {
      exitCodes.addAll(cluster.terminate(STOP_WAIT));
    }
  }

  public List<Integer> exitCodes() {
    return List.copyOf(exitCodes);
  }

  public List<String> notes() {
    return List.copyOf(notes);
  }

  @Override
  public void close() throws InterruptedException {
    for (RelayCluster c : List.copyOf(running)) {
      stop(c);
    }
  }
}
